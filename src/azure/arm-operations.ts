// Names of the ARM operations this service sends, from a request's method and URL: a bounded set (never ids),
// for metric labels and for learning which Compute throttling policies cover which operation.

export function armOperation(method: string, url: string): string {
  const path = new URL(url).pathname.toLowerCase();
  if (path.includes("/operations/")) return "getOperation";
  if (path.endsWith("/performmaintenance")) return "performMaintenance";
  if (path.endsWith("/instanceview")) return path.includes("/virtualmachinescalesets/") ? "getScaleSetVMInstanceView" : "getInstanceView";
  if (path.endsWith("/virtualmachinescalesets")) return "listScaleSets";
  if (path.includes("/virtualmachinescalesets/") && path.endsWith("/virtualmachines")) return "listScaleSetVMs";
  if (path.endsWith("/virtualmachines")) return "listVirtualMachines";
  return `${method.toLowerCase()}-other`;
}
