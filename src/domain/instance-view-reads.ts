// Which VMs a sync reads the instance view of. Pure: the stored facts and the clock are parameters.
//
// A VM's maintenance is known only from an instance view of that VM (a status-only VM list documents power
// states, not maintenance; src/azure/arm-mapping.ts). Reading every VM on every sync costs one ARM read per VM,
// so reads are tiered: VMs whose maintenance matters now (pending, or booked) every sync; every other VM once
// per sweep, at a slot of its own so the sweep's reads spread evenly instead of coming in one burst; a VM never
// read, at once.

/** SYNC_SWEEP_INTERVAL's default: self-service windows last about 35 days, so a new wave is found within 6 h. */
export const DEFAULT_SWEEP_INTERVAL_MS = 6 * 3_600_000;

export interface ReadPolicy {
  /** SYNC_SWEEP_INTERVAL: every VM is read at least this often. */
  sweepIntervalMs: number;
  /** A full sweep reads every VM now (`POST /v1/sync-runs {"full": true}`). */
  full: boolean;
}

/** What the database knows of a listed VM. null: a VM seen for the first time. */
export interface StoredReadState {
  /** When its maintenance was last read from an instance view; null: never (unknown). */
  maintenanceReadAt: Date | null;
  /** Its stored maintenance is pending (src/domain/maintenance.ts isPending). */
  pending: boolean;
  /** It has a scheduled or running booking. */
  activeBooking: boolean;
}

/**
 * `carried`: the list brought the VM's own instance view, nothing to read; `read`: read it now; `skip`: the stored
 * status is fresh enough (its sweep slot has not come round since it was read).
 */
export type ReadDecision = "carried" | "read" | "skip";

/** A stable slot in [0, sweep) for a VM (FNV-1a of its key), so each VM is re-read at its own time of the sweep. */
export function sweepPhaseMs(key: string, sweepIntervalMs: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % sweepIntervalMs;
}

/** The VM's slot (phase + k·sweep) has come round since it was last read. */
export function sweepSlotPassed(readAt: Date, now: Date, phaseMs: number, sweepIntervalMs: number): boolean {
  const slot = (t: number) => Math.floor((t - phaseMs) / sweepIntervalMs);
  return slot(now.getTime()) > slot(readAt.getTime());
}

export function decideRead(key: string, listCarriesInstanceView: boolean, stored: StoredReadState | null, now: Date, policy: ReadPolicy): ReadDecision {
  if (listCarriesInstanceView) return "carried";
  if (policy.full || !stored || stored.maintenanceReadAt === null) return "read";
  if (stored.pending || stored.activeBooking) return "read";
  const phase = sweepPhaseMs(key, policy.sweepIntervalMs);
  return sweepSlotPassed(stored.maintenanceReadAt, now, phase, policy.sweepIntervalMs) ? "read" : "skip";
}
