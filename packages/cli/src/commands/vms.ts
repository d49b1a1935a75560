import type { VirtualMachine } from "@maintenance-planner/client";
import { Option, type Command } from "commander";
import { contextOf } from "../context.js";
import { UsageError } from "../exit-codes.js";
import { print, type Column } from "../output.js";

const COLUMNS: Column<VirtualMachine>[] = [
  { header: "NAME", value: (vm) => vm.name },
  { header: "RESOURCE GROUP", value: (vm) => vm.resourceGroup },
  { header: "SUBSCRIPTION", value: (vm) => vm.subscriptionId },
  { header: "SELF-SERVICE WINDOW", value: (vm) => (vm.maintenance?.selfServiceWindow.start ? `${vm.maintenance.selfServiceWindow.start} – ${vm.maintenance.selfServiceWindow.end}` : null) },
  { header: "ID", value: (vm) => vm.id },
];

interface ListOptions {
  maintenance?: "pending" | "self-service-open" | "none";
  subscription?: string;
  resourceGroup?: string;
  tag: string[];
}

/** `k=v`: the VM must carry tag k (name compared case-insensitively, as Azure does) with value v. */
function tagFilter(specs: string[]): (vm: VirtualMachine) => boolean {
  const wanted = specs.map((spec) => {
    const at = spec.indexOf("=");
    if (at <= 0) throw new UsageError(`--tag must be name=value, got "${spec}"`);
    return { name: spec.slice(0, at).toLowerCase(), value: spec.slice(at + 1) };
  });
  return (vm) => wanted.every((w) => Object.entries(vm.tags).some(([k, v]) => k.toLowerCase() === w.name && v === w.value));
}

export function vmsCommand(program: Command): void {
  const vms = program
    .command("vms")
    .description("virtual machines and their maintenance, as last synced")
    .addHelpText("after", "\nExample:\n  $ maintenance-planner vms list --maintenance pending --resource-group rg-web");
  vms
    .command("list")
    .description("list VMs (every page)")
    .addOption(new Option("--maintenance <state>", "pending | self-service-open | none").choices(["pending", "self-service-open", "none"]))
    .option("--subscription <id>", "only this subscription")
    .option("--resource-group <name>", "only this resource group (case-insensitive)")
    .option("--tag <name=value>", "only VMs with this tag (repeatable: all must match)", (v: string, all: string[]) => [...all, v], [])
    .addHelpText("after", `
Examples:
  $ maintenance-planner vms list --maintenance self-service-open
  $ maintenance-planner vms list --subscription 11111111-1111-4111-8111-111111111111 --tag env=prod --output json | jq '.[].name'`)
    .action(async (opts: ListOptions, command: Command) => {
      const keep = tagFilter(opts.tag);
      const { client, output } = contextOf(command);
      const found: VirtualMachine[] = [];
      const query = { maintenance: opts.maintenance, subscriptionId: opts.subscription, resourceGroup: opts.resourceGroup, limit: 1000 };
      for await (const vm of client.listVirtualMachines(query)) if (keep(vm)) found.push(vm);
      print(output, found, COLUMNS);
    });
}
