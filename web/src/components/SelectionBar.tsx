// Booking a selection of VMs at one start time (bookSelection: through the batch endpoint).
import { useState } from "preact/hooks";
import type { Api } from "../api";
import { bookSelection, type SelectionResult } from "../bookings";
import { localTime } from "../time";
import type { Vm } from "../types";
import { BookForm, suggestedStart } from "./BookForm";

export function SelectionBar({ api, selection, onClear, onDone }: { api: Api; selection: Map<string, Vm>; onClear(): void; onDone(message: string): void }) {
  const [open, setOpen] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);
  const [results, setResults] = useState<SelectionResult[] | null>(null);
  const vms = [...selection.values()];
  return (
    <section class="selection" aria-label="Selection">
      <p>{vms.length} selected</p>
      <button type="button" onClick={() => setOpen(!open)} aria-expanded={open}>Book selected…</button>
      <button type="button" onClick={() => { onClear(); setResults(null); setOpen(false); }}>Clear selection</button>
      {open && (
        <BookForm
          legend={`Book ${vms.length} VMs`}
          submitLabel={`Book ${vms.length}`}
          initial={suggestedStart(null)}
          onSubmit={async (startAt, note) => {
            setProgress(0);
            const done = await bookSelection(api, vms.map((vm) => ({ virtualMachineId: vm.id, startAt, note })), setProgress);
            setProgress(null);
            setResults(done);
            const ok = done.filter((r) => r.booking).length;
            onDone(`Booked ${ok} of ${done.length} VMs for ${localTime(startAt)}.`);
            return ok === done.length ? null : `${done.length - ok} could not be booked; see below.`;
          }}
        />
      )}
      {progress !== null && <p role="status">Booking {progress} of {vms.length}…</p>}
      {results && (
        <ul class="results" aria-label="Booking results">
          {results.map((r) => (
            <li key={r.virtualMachineId}>{selection.get(r.virtualMachineId)?.name ?? r.virtualMachineId}: {r.booking ? `booked (${r.booking.state})` : r.error}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
