// Grouping, zoom (a day to six weeks) and moving along the time axis.
import { ZOOMS, localTime } from "../time";
import { GROUPINGS, type GroupingId, type ViewState } from "../view-state";

export function Toolbar({ view, start, span, onChange, summary }: { view: ViewState; start: number; span: number; onChange: (c: Partial<ViewState>) => void; summary: string }) {
  return (
    <div class="toolbar">
      <label>
        Group by
        <select name="group" value={view.group} onChange={(e) => onChange({ group: e.currentTarget.value as GroupingId })}>
          {GROUPINGS.map((g) => <option key={g.id} value={g.id}>{g.label}</option>)}
        </select>
      </label>
      <fieldset class="zoom">
        <legend>Zoom</legend>
        {ZOOMS.map((z) => (
          <button key={z.id} type="button" aria-pressed={view.zoom === z.id} onClick={() => onChange({ zoom: z.id })}>{z.label}</button>
        ))}
      </fieldset>
      <div class="pan" role="group" aria-label="Time range">
        <button type="button" onClick={() => onChange({ from: start - span / 2 })}>◀ Earlier</button>
        <button type="button" onClick={() => onChange({ from: null })}>Now</button>
        <button type="button" onClick={() => onChange({ from: start + span / 2 })}>Later ▶</button>
      </div>
      <p class="range">{localTime(start)} – {localTime(start + span)} · {summary}</p>
    </div>
  );
}
