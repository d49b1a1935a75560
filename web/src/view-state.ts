// What the page shows — filters, grouping, zoom, time — kept in the URL so a view can be shared and survives a
// reload. Filters the API knows go to the API; booking state is applied by the page.
import { ZOOMS, type ZoomId } from "./time";

export const GROUPINGS = [
  { id: "subscription", label: "Subscription" },
  { id: "resourceGroup", label: "Resource group" },
  { id: "maintenanceGroup", label: "Maintenance group" },
  { id: "availabilitySet", label: "Availability set / scale set and update domain" },
] as const;
export type GroupingId = (typeof GROUPINGS)[number]["id"];

export const MAINTENANCE_FILTERS = [
  { id: "", label: "Any" },
  { id: "pending", label: "Pending" },
  { id: "self-service-open", label: "Self-service window open" },
  { id: "unbooked", label: "Pending, not booked" },
  { id: "none", label: "None planned" },
] as const;

export interface ViewState {
  subscriptionId: string;
  resourceGroup: string;
  /** `key=value` */
  tag: string;
  maintenance: string;
  bookingState: string;
  q: string;
  group: GroupingId;
  zoom: ZoomId;
  /** Start of the visible time range (ms); null: follows now. */
  from: number | null;
}

const KEYS: Record<Exclude<keyof ViewState, "from">, string> = {
  subscriptionId: "subscription", resourceGroup: "resourceGroup", tag: "tag", maintenance: "maintenance", bookingState: "booking", q: "q", group: "group", zoom: "zoom",
};

export function readViewState(search: string): ViewState {
  const p = new URLSearchParams(search);
  const group = p.get("group");
  const zoom = p.get("zoom");
  const from = Date.parse(p.get("from") ?? "");
  return {
    subscriptionId: p.get(KEYS.subscriptionId) ?? "",
    resourceGroup: p.get(KEYS.resourceGroup) ?? "",
    tag: p.get(KEYS.tag) ?? "",
    maintenance: p.get(KEYS.maintenance) ?? "",
    bookingState: p.get(KEYS.bookingState) ?? "",
    q: p.get(KEYS.q) ?? "",
    group: GROUPINGS.some((g) => g.id === group) ? (group as GroupingId) : "subscription",
    zoom: ZOOMS.some((z) => z.id === zoom) ? (zoom as ZoomId) : "2w",
    from: Number.isNaN(from) ? null : from,
  };
}

export function writeViewState(state: ViewState): string {
  const p = new URLSearchParams();
  for (const [field, key] of Object.entries(KEYS) as [keyof typeof KEYS, string][]) {
    const value = state[field];
    if (value && !(field === "group" && value === "subscription") && !(field === "zoom" && value === "2w")) p.set(key, value);
  }
  if (state.from !== null) p.set("from", new Date(state.from).toISOString());
  const s = p.toString();
  return s ? `?${s}` : "";
}

/** The API's query for the VM list (all but booking state, which the page applies). */
export function vmQuery(state: ViewState, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  if (state.subscriptionId) p.set("subscriptionId", state.subscriptionId.trim());
  if (state.resourceGroup) p.set("resourceGroup", state.resourceGroup.trim());
  if (state.tag.includes("=")) p.set("tag", state.tag.trim());
  if (state.maintenance) p.set("maintenance", state.maintenance);
  if (state.q.trim()) p.set("q", state.q.trim());
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  return p.toString();
}
