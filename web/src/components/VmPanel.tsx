// One VM: its maintenance status, windows, window history, bookings with their attempts and warnings; book,
// move and cancel when the caller's role allows. Kept fresh by the live source.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, type Api } from "../api";
import { cancelBooking, createBooking, moveBooking } from "../bookings";
import type { Live } from "../live";
import { localTime } from "../time";
import type { Booking, VmDetail } from "../types";
import { BookForm, suggestedStart } from "./BookForm";
import { Time, maintenanceSummary } from "./Time";

interface Props {
  api: Api;
  live: Live;
  vmId: string;
  canBook: boolean;
  onClose(): void;
  onChanged(message: string): Promise<void>;
}

const HELD = "Held: its maintenance group passed its error budget (maxErrors); it runs once the group is resumed.";
const words = (error: unknown) => (error instanceof ApiError ? error.message : `Something went wrong: ${String(error)}`);

export function VmPanel({ api, live, vmId, canBook, onClose, onChanged }: Props) {
  const [vm, setVm] = useState<VmDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [moving, setMoving] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => live.watch<VmDetail>(`/v1/virtual-machines/${vmId}`, (body) => { setVm(body); setError(null); }, (e) => setError(words(e))), [live, vmId]);
  useEffect(() => heading.current?.focus(), [vm === null]);

  const m = vm?.maintenance ?? null;
  const active = vm?.activeBooking ?? null;
  const act = (run: () => Promise<Booking>, done: (b: Booking) => string) => async () => {
    try {
      const booking = await run();
      setMoving(false);
      await onChanged(done(booking));
      return null;
    } catch (e) {
      return words(e);
    }
  };
  return (
    <aside class="panel" aria-labelledby="panel-title" onKeyDown={(e) => e.key === "Escape" && onClose()}>
      <div class="panel-head">
        <h2 id="panel-title" tabIndex={-1} ref={heading}>{vm?.name ?? "VM"}</h2>
        <button type="button" onClick={onClose}>Close</button>
      </div>
      {error && <p role="alert" class="error">{error}</p>}
      {!vm && !error && <p>Loading…</p>}
      {vm && (
        <>
          <dl class="facts">
            <dt>Resource group</dt><dd>{vm.resourceGroup}</dd>
            <dt>Subscription</dt><dd>{vm.subscriptionId}</dd>
            <dt>Location</dt><dd>{vm.location}{vm.zone ? `, zone ${vm.zone}` : ""}</dd>
            <dt>Placement</dt><dd>{vm.scaleSet ? `Scale set ${vm.scaleSet.name} #${vm.scaleSet.instanceId}` : vm.availabilitySet ? `Availability set ${vm.availabilitySet}` : "—"}; update domain {vm.platformUpdateDomain ?? "?"}, fault domain {vm.platformFaultDomain ?? "?"}</dd>
            <dt>Power</dt><dd>{vm.powerState ?? "unknown"}</dd>
            {Object.keys(vm.tags).length > 0 && <><dt>Tags</dt><dd>{Object.entries(vm.tags).map(([k, v]) => `${k}=${v}`).join(", ")}</dd></>}
          </dl>
          <section aria-labelledby="panel-maintenance">
            <h3 id="panel-maintenance">Maintenance</h3>
            <p class="summary">{maintenanceSummary(m)}</p>
            {m && (
              <dl class="facts">
                <dt>Self-service window</dt><dd><Time at={m.selfServiceWindow.start} /> – <Time at={m.selfServiceWindow.end} /></dd>
                <dt>Scheduled window</dt><dd><Time at={m.scheduledWindow.start} /> – <Time at={m.scheduledWindow.end} /></dd>
                <dt>Last read</dt><dd><Time at={m.observedAt} /></dd>
              </dl>
            )}
          </section>
          <section aria-labelledby="panel-active">
            <h3 id="panel-active">Booking</h3>
            {active ? (
              <>
                <p>
                  <span class={`badge state-${active.state}`}>{active.state}</span> starts <Time at={active.startAt} />
                  {active.note ? ` — ${active.note}` : ""}
                </p>
                {active.state === "held" && <p class="reason">{HELD}</p>}
                <Warnings booking={active} />
                {canBook && active.state === "scheduled" && (
                  <div class="actions">
                    <button type="button" onClick={() => setMoving(!moving)} aria-expanded={moving}>Move…</button>
                    <CancelButton onCancel={act(() => cancelBooking(api, active.id), () => `Booking for ${vm.name} cancelled.`)} />
                  </div>
                )}
                {moving && (
                  <BookForm legend="Move the booking" submitLabel="Move" withNote={false} initial={Date.parse(active.startAt)}
                    onSubmit={(startAt) => act(() => moveBooking(api, active.id, startAt), (b) => `Booking for ${vm.name} moved to ${localTime(b.startAt)}.`)()} />
                )}
              </>
            ) : canBook && m ? (
              <BookForm legend={`Book ${vm.name}`} submitLabel="Book" initial={suggestedStart(m.selfServiceWindow.start)}
                onSubmit={(startAt, note) => act(() => createBooking(api, { virtualMachineId: vm.id, startAt, note }), (b) => `${vm.name} booked for ${localTime(b.startAt)}.`)()} />
            ) : (
              <p>No active booking.</p>
            )}
          </section>
          <section aria-labelledby="panel-bookings">
            <h3 id="panel-bookings">Bookings ({vm.bookings.length})</h3>
            {vm.bookings.length === 0 ? <p>None yet.</p> : (
              <ol class="bookings">
                {vm.bookings.map((b) => (
                  <li key={b.id}>
                    <span class={`badge state-${b.state}`}>{b.state}</span> <Time at={b.startAt} /> by {b.createdBy}
                    {b.state === "held" && !b.stateReason && <p class="reason">{HELD}</p>}
                    {b.stateReason && <p class="reason">{b.stateReason}</p>}
                    {b.deferredUntil && <p class="reason">Deferred until <Time at={b.deferredUntil} /></p>}
                    <Warnings booking={b} />
                    {b.attempts.length > 0 && (
                      <ol class="attempts" aria-label="Attempts">
                        {b.attempts.map((a) => (
                          <li key={a.number}>Attempt {a.number}: <Time at={a.startedAt} /> — {a.outcome ?? "in progress"}{a.errorCode ? ` (${a.errorCode}${a.errorMessage ? `: ${a.errorMessage}` : ""})` : ""}</li>
                        ))}
                      </ol>
                    )}
                  </li>
                ))}
              </ol>
            )}
          </section>
          <section aria-labelledby="panel-history">
            <h3 id="panel-history">Window history</h3>
            {vm.windowHistory.length === 0 ? <p>No changes recorded.</p> : (
              <ol class="history">
                {vm.windowHistory.map((h, i) => (
                  <li key={i}><Time at={h.observedAt} />: {h.change}{h.maintenance ? <> — self-service <Time at={h.maintenance.selfServiceWindow.start} /> – <Time at={h.maintenance.selfServiceWindow.end} /></> : null}</li>
                ))}
              </ol>
            )}
          </section>
        </>
      )}
    </aside>
  );
}

function Warnings({ booking }: { booking: Booking }) {
  if (!booking.warnings?.length) return null;
  return <ul class="warnings" aria-label="Warnings">{booking.warnings.map((w) => <li key={w.code}>{w.detail}</li>)}</ul>;
}

function CancelButton({ onCancel }: { onCancel(): Promise<string | null> }) {
  const [confirming, setConfirming] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  if (!confirming) return <button type="button" onClick={() => setConfirming(true)}>Cancel booking…</button>;
  return (
    <span class="confirm">
      <button type="button" class="danger" onClick={async () => setProblem(await onCancel())}>Yes, cancel the booking</button>
      <button type="button" onClick={() => setConfirming(false)}>Keep it</button>
      {problem && <span role="alert" class="error">{problem}</span>}
    </span>
  );
}
