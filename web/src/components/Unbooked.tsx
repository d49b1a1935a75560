// VMs with pending maintenance and no booking, the soonest deadline (end of the self-service window) first.
import { useState } from "preact/hooks";
import { deadline } from "../rows";
import type { Vm } from "../types";
import { Time, maintenanceSummary } from "./Time";

const ROW = 52;
const SHOWN = 12;

export function Unbooked({ vms, onOpen, canSelect, selection, onToggle }: { vms: Vm[] | null; onOpen(vm: Vm): void; canSelect: boolean; selection: Map<string, Vm>; onToggle(vm: Vm): void }) {
  const [scrollTop, setScrollTop] = useState(0);
  const list = vms ?? [];
  const first = Math.max(0, Math.floor(scrollTop / ROW) - 4);
  const last = Math.min(list.length, first + SHOWN + 8);
  return (
    <aside class="unbooked" aria-labelledby="unbooked-title">
      <h2 id="unbooked-title">Needs a booking {vms ? `(${list.length})` : ""}</h2>
      <p class="hint">Pending maintenance, not booked; soonest deadline first.</p>
      {vms === null && <p>Loading…</p>}
      {vms !== null && list.length === 0 && <p>Nothing to book.</p>}
      <div class="unbooked-list" onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
        <ol style={{ height: `${list.length * ROW}px` }} aria-label="VMs to book">
          {list.slice(first, last).map((vm, i) => (
            <li key={vm.id} style={{ top: `${(first + i) * ROW}px` }} aria-setsize={list.length} aria-posinset={first + i + 1}>
              {canSelect && <input type="checkbox" checked={selection.has(vm.id)} onChange={() => onToggle(vm)} aria-label={`Select ${vm.name}`} />}
              <div>
                <button type="button" class="vm-name" onClick={() => onOpen(vm)}>{vm.name}</button>
                <Deadline vm={vm} />
                <span class="summary">{maintenanceSummary(vm.maintenance)}</span>
              </div>
            </li>
          ))}
        </ol>
      </div>
    </aside>
  );
}

function Deadline({ vm }: { vm: Vm }) {
  const at = deadline(vm);
  if (!Number.isFinite(at)) return <span class="deadline">No deadline known</span>;
  const iso = new Date(at).toISOString();
  const selfEnd = vm.maintenance?.selfServiceWindow.end;
  const bookable = selfEnd !== null && selfEnd !== undefined && Date.parse(selfEnd) === at;
  return <span class="deadline">{bookable ? "Book by " : "Azure maintains it from "}<Time at={iso} /></span>;
}
