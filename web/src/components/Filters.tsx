// Filters, applied as they change and kept in the URL (see view-state.ts). Text fields apply on Enter or when
// they lose focus, so typing does not reload the rows at every key.
import { useEffect, useState } from "preact/hooks";
import { BOOKING_STATES, type Vm } from "../types";
import { MAINTENANCE_FILTERS, type ViewState } from "../view-state";

type TextField = "subscriptionId" | "resourceGroup" | "tag" | "q";
const TEXT_FIELDS: { field: TextField; label: string; placeholder: string }[] = [
  { field: "subscriptionId", label: "Subscription", placeholder: "subscription id" },
  { field: "resourceGroup", label: "Resource group", placeholder: "rg-web-prod" },
  { field: "tag", label: "Tag", placeholder: "owner=payments" },
  { field: "q", label: "Name contains", placeholder: "web" },
];

export function Filters({ view, onChange, seen }: { view: ViewState; onChange: (c: Partial<ViewState>) => void; seen: Vm[] }) {
  const [draft, setDraft] = useState(() => Object.fromEntries(TEXT_FIELDS.map(({ field }) => [field, view[field]])) as Record<TextField, string>);
  useEffect(() => setDraft(Object.fromEntries(TEXT_FIELDS.map(({ field }) => [field, view[field]])) as Record<TextField, string>), [view.subscriptionId, view.resourceGroup, view.tag, view.q]);
  const apply = () => onChange(draft);
  const suggestions: Record<TextField, string[]> = {
    subscriptionId: [...new Set(seen.map((v) => v.subscriptionId))].slice(0, 50),
    resourceGroup: [...new Set(seen.map((v) => v.resourceGroup))].slice(0, 100),
    tag: [...new Set(seen.flatMap((v) => Object.entries(v.tags).map(([k, val]) => `${k}=${val}`)))].slice(0, 100),
    q: [],
  };
  return (
    <form class="filters" role="search" aria-label="Filters" onSubmit={(e) => { e.preventDefault(); apply(); }}>
      {TEXT_FIELDS.map(({ field, label, placeholder }) => (
        <label key={field}>
          {label}
          <input
            type="search"
            name={field}
            value={draft[field]}
            placeholder={placeholder}
            list={suggestions[field].length ? `${field}-options` : undefined}
            onInput={(e) => setDraft({ ...draft, [field]: e.currentTarget.value })}
            onChange={apply}
          />
          {suggestions[field].length > 0 && <datalist id={`${field}-options`}>{suggestions[field].map((s) => <option key={s} value={s} />)}</datalist>}
        </label>
      ))}
      <label>
        Maintenance
        <select name="maintenance" value={view.maintenance} onChange={(e) => onChange({ maintenance: e.currentTarget.value })}>
          {MAINTENANCE_FILTERS.map((m) => <option key={m.id} value={m.id}>{m.label}</option>)}
        </select>
      </label>
      <label>
        Booking state
        <select name="bookingState" value={view.bookingState} onChange={(e) => onChange({ bookingState: e.currentTarget.value })}>
          <option value="">Any</option>
          {BOOKING_STATES.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
      </label>
      <button type="submit">Apply</button>
    </form>
  );
}
