// ARM endpoints the service uses. Patterns are case-insensitive like ARM; captures keep the caller's casing.
import type { Fleet } from "./fleet.js";
import { scaleSetResourceId, scaleSetVmResourceId, vmResourceId } from "./fleet.js";
import type { Operations } from "./operations.js";
import { cloudError, instanceView, scaleSetResource, scaleSetVmResource, vmResource } from "./payloads.js";
import type { OperationName, SimVm } from "./types.js";

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteContext {
  fleet: Fleet;
  ops: Operations;
  now: () => Date;
  baseUrl: string;
  pageSize: number;
  listIncludesInstanceView: boolean;
  url: URL;
  body: unknown;
}

export interface Route {
  operation: OperationName;
  method: "GET" | "POST";
  pattern: RegExp;
  /** The ARM resource the request targets, for fault matching and 404s. */
  target?: (m: string[]) => string;
  handle: (ctx: RouteContext, m: string[]) => Reply;
}

const SUB = "^/subscriptions/([^/]+)";
const RG = `${SUB}/resourcegroups/([^/]+)/providers/microsoft\\.compute`;
const re = (s: string) => new RegExp(`${s}$`, "i");

function page<T>(ctx: RouteContext, items: T[]): Reply {
  const skip = Math.max(0, Number.parseInt(ctx.url.searchParams.get("$skiptoken") ?? "0", 10) || 0);
  const value = items.slice(skip, skip + ctx.pageSize);
  const body: { value: T[]; nextLink?: string } = { value };
  if (skip + ctx.pageSize < items.length) {
    // ARM writes `$skiptoken` unencoded after the original query.
    const query = new URLSearchParams(ctx.url.search);
    query.delete("$skiptoken");
    body.nextLink = `${ctx.baseUrl}${ctx.url.pathname}?${query}&$skiptoken=${skip + ctx.pageSize}`;
  }
  return { status: 200, body };
}

export function notFound(type: string, name: string, rg: string): Reply {
  return {
    status: 404,
    body: cloudError("ResourceNotFound", `The Resource '${type}/${name}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`),
  };
}

function startMaintenance(ctx: RouteContext, sub: string, vms: SimVm[]): Reply {
  const refused = vms.find((vm) => vm.maintenance?.isCustomerInitiatedMaintenanceAllowed !== true);
  if (refused) {
    const message = `Operation 'performMaintenance' is not allowed on VM '${refused.name}' since the Subscription of this VM is not eligible.`;
    return { status: 409, body: cloudError("OperationNotAllowed", message) };
  }
  const op = ctx.ops.start(sub, vms[0].location, vms);
  const apiVersion = ctx.url.searchParams.get("api-version") ?? "";
  const asyncUrl = `${ctx.baseUrl}/subscriptions/${sub}/providers/Microsoft.Compute/locations/${op.location}/operations/${op.id}?api-version=${apiVersion}`;
  return { status: 202, headers: { "azure-asyncoperation": asyncUrl, location: `${asyncUrl}&monitor=true` } };
}

function withVm(ctx: RouteContext, id: string, type: string, name: string, rg: string, f: (vm: SimVm) => Reply): Reply {
  const vm = ctx.fleet.get(id);
  return vm ? f(vm) : notFound(type, name, rg);
}

const VM_TYPE = "Microsoft.Compute/virtualMachines";
const SS_TYPE = "Microsoft.Compute/virtualMachineScaleSets";

export const ROUTES: Route[] = [
  {
    operation: "listVirtualMachines", method: "GET", pattern: re(`${SUB}/providers/microsoft\\.compute/virtualmachines`),
    handle: (ctx, [, sub]) => {
      const statusOnly = ctx.url.searchParams.get("statusOnly")?.toLowerCase() === "true";
      const listed = ctx.listIncludesInstanceView ? "full" : statusOnly ? "statuses" : "none";
      return page(ctx, ctx.fleet.vmsOf(sub).map((vm) => vmResource(vm, ctx.now(), listed)));
    },
  },
  {
    operation: "getInstanceView", method: "GET", pattern: re(`${RG}/virtualmachines/([^/]+)/instanceview`),
    target: ([, sub, rg, name]) => vmResourceId(sub, rg, name),
    handle: (ctx, [, sub, rg, name]) => withVm(ctx, vmResourceId(sub, rg, name), VM_TYPE, name, rg, (vm) => ({ status: 200, body: instanceView(vm, ctx.now()) })),
  },
  {
    operation: "listScaleSets", method: "GET", pattern: re(`${SUB}/providers/microsoft\\.compute/virtualmachinescalesets`),
    handle: (ctx, [, sub]) => page(ctx, ctx.fleet.scaleSetsOf(sub).map(scaleSetResource)),
  },
  {
    operation: "listScaleSetVMs", method: "GET", pattern: re(`${RG}/virtualmachinescalesets/([^/]+)/virtualmachines`),
    target: ([, sub, rg, ss]) => scaleSetResourceId(sub, rg, ss),
    handle: (ctx, [, sub, rg, name]) => {
      const ss = ctx.fleet.scaleSet(scaleSetResourceId(sub, rg, name));
      if (!ss) return notFound(SS_TYPE, name, rg);
      const expand = ctx.url.searchParams.get("$expand")?.toLowerCase() === "instanceview";
      return page(ctx, ctx.fleet.instancesOf(ss).map((vm) => scaleSetVmResource(vm, ctx.now(), expand)));
    },
  },
  {
    operation: "getScaleSetVMInstanceView", method: "GET", pattern: re(`${RG}/virtualmachinescalesets/([^/]+)/virtualmachines/([^/]+)/instanceview`),
    target: ([, sub, rg, ss, id]) => scaleSetVmResourceId(sub, rg, ss, id),
    handle: (ctx, [, sub, rg, ss, id]) =>
      withVm(ctx, scaleSetVmResourceId(sub, rg, ss, id), `${SS_TYPE}/virtualMachines`, `${ss}/${id}`, rg, (vm) => ({ status: 200, body: instanceView(vm, ctx.now()) })),
  },
  {
    operation: "performMaintenance", method: "POST", pattern: re(`${RG}/virtualmachines/([^/]+)/performmaintenance`),
    target: ([, sub, rg, name]) => vmResourceId(sub, rg, name),
    handle: (ctx, [, sub, rg, name]) => withVm(ctx, vmResourceId(sub, rg, name), VM_TYPE, name, rg, (vm) => startMaintenance(ctx, sub, [vm])),
  },
  {
    operation: "performMaintenance", method: "POST", pattern: re(`${RG}/virtualmachinescalesets/([^/]+)/virtualmachines/([^/]+)/performmaintenance`),
    target: ([, sub, rg, ss, id]) => scaleSetVmResourceId(sub, rg, ss, id),
    handle: (ctx, [, sub, rg, ss, id]) =>
      withVm(ctx, scaleSetVmResourceId(sub, rg, ss, id), `${SS_TYPE}/virtualMachines`, `${ss}/${id}`, rg, (vm) => startMaintenance(ctx, sub, [vm])),
  },
  {
    operation: "performMaintenance", method: "POST", pattern: re(`${RG}/virtualmachinescalesets/([^/]+)/performmaintenance`),
    target: ([, sub, rg, ss]) => scaleSetResourceId(sub, rg, ss),
    handle: (ctx, [, sub, rg, name]) => {
      const ss = ctx.fleet.scaleSet(scaleSetResourceId(sub, rg, name));
      if (!ss) return notFound(SS_TYPE, name, rg);
      // Without instanceIds ARM applies the action to every instance.
      const ids = (ctx.body as { instanceIds?: string[] } | null)?.instanceIds;
      const all = ctx.fleet.instancesOf(ss);
      const vms = ids ? ids.map((id) => all.find((vm) => vm.instanceId === id)) : all;
      const missing = ids?.find((_, i) => !vms[i]);
      if (missing !== undefined) return notFound(`${SS_TYPE}/virtualMachines`, `${name}/${missing}`, rg);
      if (vms.length === 0) return { status: 200 };
      return startMaintenance(ctx, sub, vms as SimVm[]);
    },
  },
  {
    operation: "getOperation", method: "GET", pattern: re(`${SUB}/providers/microsoft\\.compute/locations/([^/]+)/operations/([^/]+)`),
    handle: (ctx, [, , , id]) => {
      const op = ctx.ops.get(id);
      if (!op) return { status: 404, body: cloudError("ResourceNotFound", `Operation '${id}' was not found.`) };
      const monitor = ctx.url.searchParams.get("monitor") === "true";
      if (!monitor) return { status: 200, body: ctx.ops.statusDocument(op) };
      // The Location (monitor) URL: 202 while running, then 200 with an EMPTY body (a 204 makes the SDK throw).
      if (op.endTime === null) return { status: 202, headers: { location: new URL(ctx.url.pathname + ctx.url.search, ctx.baseUrl).toString() } };
      return op.outcome.status === "Succeeded" ? { status: 200 } : { status: 200, body: ctx.ops.statusDocument(op) };
    },
  },
];
