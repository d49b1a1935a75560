// The timeline: one row per VM under group headings, with its self-service and scheduled windows, its bookings
// coloured by state, deferrals and the current time. Only the rows in view are in the DOM (10,000 VMs scroll
// like 30); reaching the end of the loaded rows asks for the next page. Arrow keys move between rows.
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { Row } from "../rows";
import { HOUR, axisLabel, localRange, ticks, utcRange, utcTime } from "../time";
import type { Booking, Vm } from "../types";

const ROW = 30;
const OVERSCAN = 8;
const NAME_WIDTH = 250;

interface Props {
  rows: Row[];
  bookings: Map<string, Booking[]>;
  start: number;
  span: number;
  onOpen(vm: Vm): void;
  canSelect: boolean;
  selection: Map<string, Vm>;
  onToggle(vm: Vm): void;
  onNearEnd(): void;
}

type Place = (from: string | number | null, to: string | number | null) => { left: number; width: number } | null;

function placer(start: number, span: number, width: number): Place {
  const x = (t: number) => ((t - start) / span) * width;
  return (from, to) => {
    const a = from === null ? start : typeof from === "number" ? from : Date.parse(from);
    const b = to === null ? start + span : typeof to === "number" ? to : Date.parse(to);
    if (b < start || a > start + span) return null;
    const left = Math.max(0, x(a));
    return { left, width: Math.max(4, Math.min(width, x(b)) - left) };
  };
}

function Bar({ place, cls, label, from, to }: { place: ReturnType<Place>; cls: string; label: string; from: string | null; to: string | null }) {
  if (!place) return null;
  return (
    <span class={`bar ${cls}`} style={{ left: `${place.left}px`, width: `${place.width}px` }} title={`${label}\n${localRange(from, to)}\n${utcRange(from, to)}`}>
      <span class="sr-only">{`${label}: ${localRange(from, to)}.`}</span>
    </span>
  );
}

function Lane({ vm, bookings, place }: { vm: Vm; bookings: Booking[]; place: Place }) {
  const m = vm.maintenance;
  return (
    <div class="lane">
      {m && <Bar place={place(m.selfServiceWindow.start, m.selfServiceWindow.end)} cls="win-self" label="Self-service window" from={m.selfServiceWindow.start} to={m.selfServiceWindow.end} />}
      {m && m.scheduledWindow.start && <Bar place={place(m.scheduledWindow.start, m.scheduledWindow.end)} cls="win-sched" label="Scheduled window" from={m.scheduledWindow.start} to={m.scheduledWindow.end} />}
      {bookings.map((b) => {
        const last = b.attempts[b.attempts.length - 1];
        const end = last?.finishedAt ?? new Date(Date.parse(b.startAt) + HOUR / 2).toISOString();
        return [
          b.deferredUntil ? <Bar key={`${b.id}-d`} place={place(b.startAt, b.deferredUntil)} cls="deferral" label="Deferred" from={b.startAt} to={b.deferredUntil} /> : null,
          <Bar key={b.id} place={place(b.startAt, end)} cls={`booking state-${b.state}`} label={b.state === "held" ? "Booking held (its maintenance group is paused)" : `Booking ${b.state}`} from={b.startAt} to={end} />,
        ];
      })}
    </div>
  );
}

export function Timeline({ rows, bookings, start, span, onOpen, canSelect, selection, onToggle, onNearEnd }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [size, setSize] = useState({ height: 600, width: 900 });
  const [focusIndex, setFocusIndex] = useState<number | null>(null);

  useLayoutEffect(() => {
    const el = scroller.current!;
    const observer = new ResizeObserver(() => setSize({ height: el.clientHeight, width: el.clientWidth }));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const laneWidth = Math.max(200, size.width - NAME_WIDTH - 16);
  const first = Math.max(0, Math.floor(scrollTop / ROW) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + size.height) / ROW) + OVERSCAN);
  useEffect(() => {
    if (last >= rows.length - OVERSCAN * 4) onNearEnd();
  }, [last, rows.length]);
  useEffect(() => {
    // Keep focus on the row the keyboard moved to as rows re-render, without taking it from elsewhere.
    const inside = scroller.current?.contains(document.activeElement) || document.activeElement === document.body;
    if (focusIndex === null || !inside) return;
    scroller.current?.querySelector<HTMLButtonElement>(`button[data-row="${focusIndex}"]`)?.focus();
  }, [focusIndex, first]);

  const place = placer(start, span, laneWidth);
  const now = place(Date.now(), Date.now());

  /** Arrow keys, Home/End and Page keys move between VM rows (group headings are skipped). */
  function navigate(event: KeyboardEvent, index: number) {
    const step = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10, Home: -rows.length, End: rows.length }[event.key];
    if (!step) return;
    event.preventDefault();
    let target = Math.max(0, Math.min(rows.length - 1, index + step));
    while (rows[target]?.kind === "group" && target + Math.sign(step) >= 0 && target + Math.sign(step) < rows.length) target += Math.sign(step);
    if (rows[target]?.kind !== "vm") return;
    const el = scroller.current!;
    if (target * ROW < el.scrollTop) el.scrollTop = target * ROW;
    else if ((target + 1) * ROW > el.scrollTop + el.clientHeight) el.scrollTop = (target + 1) * ROW - el.clientHeight;
    setFocusIndex(target);
  }

  return (
    <div class="timeline">
      <div class="axis" aria-hidden="true">
        <div class="axis-name">VM</div>
        <div class="axis-lane">
          {ticks(start, span).map((t) => (
            <span key={t} class="tick" style={{ left: `${place(t, t)!.left}px` }} title={utcTime(t)}>{axisLabel(t, span)}</span>
          ))}
        </div>
      </div>
      <div class="rows" ref={scroller} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
        <ul class="rows-inner" aria-label="VMs and their maintenance" style={{ height: `${rows.length * ROW}px` }}>
          {rows.slice(first, last).map((row, i) => {
            const index = first + i;
            const top = { top: `${index * ROW}px` };
            if (row.kind === "group") {
              return <li key={`g-${row.key}`} class="group-row" style={top}><span class="group-label">{row.label} ({row.count})</span></li>;
            }
            const vm = row.vm;
            return (
              <li key={row.key} class={`row${selection.has(vm.id) ? " selected" : ""}`} style={top} aria-setsize={rows.length} aria-posinset={index + 1}>
                <div class="name">
                  {canSelect && <input type="checkbox" checked={selection.has(vm.id)} onChange={() => onToggle(vm)} aria-label={`Select ${vm.name}`} />}
                  <button type="button" class="vm-name" data-row={index} onClick={() => onOpen(vm)} onKeyDown={(e) => navigate(e, index)} onFocus={() => setFocusIndex(index)} title={vm.resourceId}>
                    {vm.name}
                  </button>
                </div>
                <Lane vm={vm} bookings={bookings.get(vm.id) ?? []} place={place} />
              </li>
            );
          })}
        </ul>
        {now && <div class="now-line" style={{ left: `${NAME_WIDTH + now.left}px`, height: `${rows.length * ROW}px` }} title={`Now: ${utcTime(Date.now())}`} aria-hidden="true" />}
        {rows.length === 0 && <p class="empty">No VMs match these filters.</p>}
      </div>
    </div>
  );
}
