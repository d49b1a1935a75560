// The planner: filters, the timeline, the VMs still to book, the VM panel and booking a selection.
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Api } from "../api";
import type { Auth } from "../auth";
import { createStreamLive, type LiveMode } from "../live";
import { SERVER_ORDERED, bookingsByVm, buildRows, deadline } from "../rows";
import { HOUR, ZOOMS, timeZone } from "../time";
import type { Booking, Me, Vm } from "../types";
import { readViewState, vmQuery, writeViewState, type ViewState } from "../view-state";
import { useVmList } from "../vm-list";
import { groupMembership } from "../maintenance-groups";
import { Filters } from "./Filters";
import { SelectionBar } from "./SelectionBar";
import { Timeline } from "./Timeline";
import { Toolbar } from "./Toolbar";
import { Unbooked } from "./Unbooked";
import { VmPanel } from "./VmPanel";

/** The visible range starts a little before now, on the hour, unless the URL fixes it. */
function rangeStart(view: ViewState, span: number): number {
  return view.from ?? Math.floor((Date.now() - span * 0.1) / HOUR) * HOUR;
}

export function App({ api, auth, pollMs }: { api: Api; auth: Auth; pollMs: number }) {
  if (auth.problem) return <Notice title="Sign-in unavailable" text={auth.problem} />;
  if (auth.signIn) {
    return (
      <Notice title="Maintenance Planner" text="Sign in with your work account to see and book maintenance.">
        <button type="button" onClick={() => void auth.signIn!()}>Sign in</button>
      </Notice>
    );
  }
  return <Planner api={api} auth={auth} pollMs={pollMs} />;
}

function Notice({ title, text, children }: { title: string; text: string; children?: preact.ComponentChildren }) {
  return (
    <main class="notice">
      <h1>{title}</h1>
      <p>{text}</p>
      {children}
    </main>
  );
}

function Planner({ api, auth, pollMs }: { api: Api; auth: Auth; pollMs: number }) {
  const live = useMemo(() => createStreamLive(api, pollMs), [api, pollMs]);
  const [liveMode, setLiveMode] = useState<LiveMode>("polling");
  useEffect(() => live.mode(setLiveMode), [live]);
  const [view, setView] = useState<ViewState>(() => readViewState(location.search));
  const [me, setMe] = useState<Me | null>(null);
  const [message, setMessage] = useState("");
  const [openVm, setOpenVm] = useState<string | null>(null);
  const [selection, setSelection] = useState<Map<string, Vm>>(new Map());
  const [rangeBookings, setRangeBookings] = useState<Booking[]>([]);
  const [unbooked, setUnbooked] = useState<Vm[] | null>(null);

  const update = useCallback((change: Partial<ViewState>) => setView((v) => ({ ...v, ...change })), []);
  useEffect(() => history.replaceState(null, "", `${location.pathname}${writeViewState(view)}`), [view]);
  useEffect(() => {
    api.get<Me>("/v1/me").then(setMe, (e) => setMessage(`Could not read who you are: ${e instanceof Error ? e.message : e}`));
  }, [api]);
  const canBook = me?.roles.includes("Maintenance.Book") ?? false;

  const span = ZOOMS.find((z) => z.id === view.zoom)!.span;
  const start = useMemo(() => rangeStart(view, span), [view.from, span]);
  const query = vmQuery(view);
  // Groupings outside the API's order, and the booking-state filter, need every VM before rows can be placed.
  const needAll = !SERVER_ORDERED.includes(view.group) || view.bookingState !== "";
  const vms = useVmList(api, query, needAll);

  useEffect(() => {
    const p = new URLSearchParams({ startFrom: new Date(start - 2 * 24 * HOUR).toISOString(), startTo: new Date(start + span).toISOString(), limit: "1000" });
    if (view.subscriptionId) p.set("subscriptionId", view.subscriptionId.trim());
    return live.watchList<Booking>(`/v1/bookings?${p}`, setRangeBookings, (e) => setMessage(`Bookings could not be read: ${String(e)}`));
  }, [live, start, span, view.subscriptionId]);

  useEffect(() => {
    setUnbooked(null);
    const q = vmQuery({ ...view, maintenance: "" }, { maintenance: "unbooked", limit: "1000" });
    return live.watchList<Vm>(`/v1/virtual-machines?${q}`, (items) => setUnbooked([...items].sort((a, b) => deadline(a) - deadline(b))), (e) => setMessage(`VMs to book could not be read: ${String(e)}`));
  }, [live, view.subscriptionId, view.resourceGroup, view.tag, view.q]);

  const [membership, setMembership] = useState<Map<string, string[]>>(new Map());
  useEffect(() => {
    if (view.group !== "maintenanceGroup") return;
    let current = true;
    groupMembership(api).then((m) => current && setMembership(m), (e) => current && setMessage(`Maintenance groups could not be read: ${e instanceof Error ? e.message : e}`));
    return () => void (current = false);
  }, [api, view.group]);

  const byVm = useMemo(() => bookingsByVm(rangeBookings), [rangeBookings]);
  const rows = useMemo(() => {
    const shown = view.bookingState ? vms.items.filter((vm) => byVm.get(vm.id)?.some((b) => b.state === view.bookingState)) : vms.items;
    return buildRows(shown, view.group, membership);
  }, [vms.items, byVm, view.bookingState, view.group, membership]);

  const toggle = useCallback((vm: Vm) => setSelection((s) => {
    const next = new Map(s);
    if (next.has(vm.id)) next.delete(vm.id);
    else next.set(vm.id, vm);
    return next;
  }), []);
  const changed = useCallback(async (text: string) => {
    setMessage(text);
    await live.refresh();
  }, [live]);
  const lastFocus = useRef<HTMLElement | null>(null);
  const open = useCallback((vm: Vm) => {
    lastFocus.current = document.activeElement as HTMLElement | null;
    setOpenVm(vm.id);
  }, []);
  const close = useCallback(() => {
    setOpenVm(null);
    lastFocus.current?.focus();
  }, []);

  const vmCount = vms.done ? `${vms.items.length} VMs` : `${vms.items.length}+ VMs, loading…`;
  return (
    <div class="app">
      <header class="top">
        <h1>Maintenance Planner</h1>
        <p class="zone">Times in {timeZone()}; hover a time for UTC.</p>
        <p class="live" data-live={liveMode}>{liveMode === "stream" ? "Live updates" : `Updates every ${Math.round(pollMs / 1000)} s`}</p>
        <p class="who">
          {me ? `${me.actor} · ${canBook ? "may book" : "read only"}` : ""}
          {auth.signOut && <button type="button" class="link" onClick={() => void auth.signOut!()}>Sign out</button>}
        </p>
      </header>
      <Filters view={view} onChange={update} seen={vms.items} />
      <div class="layout">
        <main aria-label="Timeline">
          <Toolbar view={view} start={start} span={span} onChange={update} summary={vmCount} />
          {vms.error && <p role="alert" class="error">{vms.error}</p>}
          <Timeline rows={rows} bookings={byVm} start={start} span={span} onOpen={open} canSelect={canBook} selection={selection} onToggle={toggle} onNearEnd={vms.more} />
        </main>
        <Unbooked vms={unbooked} onOpen={open} canSelect={canBook} selection={selection} onToggle={toggle} />
      </div>
      {selection.size > 0 && canBook && <SelectionBar api={api} selection={selection} onClear={() => setSelection(new Map())} onDone={changed} />}
      {openVm && <VmPanel key={openVm} api={api} live={live} vmId={openVm} canBook={canBook} onClose={close} onChanged={changed} />}
      <p role="status" aria-live="polite" class="status">{message}</p>
    </div>
  );
}
