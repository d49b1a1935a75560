// Which subscriptions an event goes to. Pure; the delivery worker applies it when it fans events out.
import { inScope, type Scope } from "./access.js";
import { armKey } from "./arm-names.js";
import { EVENT_TYPE_PREFIX } from "./events.js";

export interface SubscriptionInterest {
  /** Short names (`booking.created`); empty: every type. */
  eventTypes: readonly string[];
  filterSubscriptionId: string | null;
  filterResourceGroup: string | null;
  /** The owner's scope when the subscription was made: it never sees more than its owner could. */
  ownerScope: Scope;
  createdAt: Date;
}

export interface EventFacts {
  /** The full CloudEvent type. */
  type: string;
  subscriptionId: string | null;
  resourceGroup: string | null;
  time: Date;
}

/** ARM names compare as ARM compares them (arm-names.ts). */
const same = (a: string | null, b: string) => a !== null && armKey(a) === armKey(b);

export function wantsEvent(s: SubscriptionInterest, e: EventFacts): boolean {
  // Only events made after the subscription (the fan-out holds a lock that creation waits for, see
  // webhook-deliveries-repo.ts, so this is decided the same way whenever the fan-out runs).
  if (e.time.getTime() < s.createdAt.getTime()) return false;
  const name = e.type.startsWith(EVENT_TYPE_PREFIX) ? e.type.slice(EVENT_TYPE_PREFIX.length) : e.type;
  if (s.eventTypes.length > 0 && !s.eventTypes.includes(name)) return false;
  if (s.filterSubscriptionId !== null && !same(e.subscriptionId, s.filterSubscriptionId)) return false;
  if (s.filterResourceGroup !== null && !same(e.resourceGroup, s.filterResourceGroup)) return false;
  if (s.ownerScope === null) return true;
  // A scoped owner sees only events about VMs in its scope; events about no VM (sync runs) span every scope.
  return e.subscriptionId !== null && e.resourceGroup !== null && inScope(s.ownerScope, { subscriptionId: e.subscriptionId, resourceGroup: e.resourceGroup });
}
