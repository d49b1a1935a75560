// AzureGateway backed by the real @azure/arm-compute SDK, pointed at management.azure.com or the ARM simulator.
import { ComputeManagementClient, restorePoller } from "@azure/arm-compute";
import type { TokenCredential } from "@azure/identity";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { ArmBudgetLedger, type ArmBudget } from "./arm-budget.js";
import { armBudgetPolicy, type ArmRequestEvent } from "./arm-budget-policy.js";
import { toArmError } from "./arm-errors.js";
import { fromScaleSetVm, fromVirtualMachine, operationIdFromState, parseResourceId, toInstanceViewFacts } from "./arm-mapping.js";
import type { ArmVirtualMachine, AzureGateway, InstanceViewFacts, MaintenanceOperation, VmRef } from "./gateway.js";

export interface ArmGatewayOptions {
  /** e.g. `https://management.azure.com` or the simulator's url. */
  endpoint: string;
  credential: TokenCredential;
  /** PEM to trust in addition to the system CAs (the simulator's self-signed certificate). */
  ca?: string;
  /** SDK retry policy: 429/503 wait for Retry-After; other transient failures back off exponentially. */
  retry?: { maxRetries?: number; retryDelayInMs?: number; maxRetryDelayInMs?: number };
  /** LRO poll interval; the SDK's default is 2 s, and a Retry-After on a poll overrides it. */
  pollIntervalMs?: number;
  /**
   * Client-side pacing (arm-budget.ts): the process's one budget, shared by everything that talks to ARM (the
   * sync and the scheduler); default a ledger of this gateway's own; false turns pacing off.
   */
  budget?: ArmBudget | false;
  /** The longest a request may wait for budget before it is refused as retryable (default: no limit). */
  maxBudgetWaitMs?: number;
  /** Called for every HTTP request sent (retries and polls included), e.g. for metrics. */
  onRequest?: (event: ArmRequestEvent) => void;
}

type PerformMaintenance = ComputeManagementClient["virtualMachines"]["performMaintenance"];
type Poller = ReturnType<PerformMaintenance>;

export function createArmGateway(opts: ArmGatewayOptions): AzureGateway {
  const clients = new Map<string, ComputeManagementClient>();
  const budget = opts.budget === false ? null : (opts.budget ?? new ArmBudgetLedger());
  let sent = 0;
  // Placed after the Retry phase so every attempt (retries and LRO polls included) is counted once.
  const counter: PipelinePolicy = { name: "maintenancePlannerRequestCounter", sendRequest: (req, next) => (sent++, next(req)) };

  function clientFor(subscriptionId: string): ComputeManagementClient {
    const key = subscriptionId.toLowerCase();
    let client = clients.get(key);
    if (!client) {
      client = new ComputeManagementClient(opts.credential, subscriptionId, {
        endpoint: opts.endpoint,
        tlsOptions: opts.ca ? { ca: opts.ca } : undefined,
        retryOptions: { maxRetries: 3, ...opts.retry },
      });
      client.pipeline.addPolicy(counter, { afterPhase: "Retry" });
      // Budgets are per subscription, as ARM counts them; after Retry so retries and polls pay too.
      if (budget) client.pipeline.addPolicy(armBudgetPolicy(key, budget, { maxWaitMs: opts.maxBudgetWaitMs, onRequest: opts.onRequest }), { afterPhase: "Retry" });
      clients.set(key, client);
    }
    return client;
  }

  function toOperation(poller: Poller, state: string): MaintenanceOperation {
    return {
      state,
      operationId: operationIdFromState(state),
      wait: async () => {
        try {
          await poller.pollUntilDone();
        } catch (err) {
          throw toArmError(err);
        }
      },
    };
  }

  async function* listVirtualMachines(subscriptionId: string): AsyncIterable<ArmVirtualMachine[]> {
    const client = clientFor(subscriptionId);
    try {
      for await (const page of client.virtualMachines.listAll({ statusOnly: "true" }).byPage()) {
        yield page.map(fromVirtualMachine);
      }
      for await (const scaleSets of client.virtualMachineScaleSets.listAll().byPage()) {
        for (const ss of scaleSets) {
          // Flexible scale sets' VMs are ordinary VMs and already came from listAll.
          if (ss.orchestrationMode === "Flexible" || !ss.id || !ss.name) continue;
          const { resourceGroup } = parseResourceId(ss.id);
          for await (const page of client.virtualMachineScaleSetVMs.list(resourceGroup, ss.name, { expand: "instanceView" }).byPage()) {
            yield page.map(fromScaleSetVm);
          }
        }
      }
    } catch (err) {
      throw toArmError(err);
    }
  }

  async function getInstanceView(vm: VmRef): Promise<InstanceViewFacts> {
    const client = clientFor(vm.subscriptionId);
    try {
      const iv = vm.scaleSetName
        ? await client.virtualMachineScaleSetVMs.getInstanceView(vm.resourceGroup, vm.scaleSetName, instanceIdOf(vm))
        : await client.virtualMachines.instanceView(vm.resourceGroup, vm.name);
      return toInstanceViewFacts(iv);
    } catch (err) {
      throw toArmError(err);
    }
  }

  /** The SDK operation that starts maintenance for this VM; restorePoller needs the same one. */
  function performMaintenanceOf(client: ComputeManagementClient, vm: VmRef) {
    return vm.scaleSetName ? client.virtualMachineScaleSetVMs.performMaintenance : client.virtualMachines.performMaintenance;
  }

  async function startMaintenance(vm: VmRef): Promise<MaintenanceOperation> {
    const client = clientFor(vm.subscriptionId);
    const options = { updateIntervalInMs: opts.pollIntervalMs };
    try {
      const poller: Poller = vm.scaleSetName
        ? client.virtualMachineScaleSetVMs.performMaintenance(vm.resourceGroup, vm.scaleSetName, instanceIdOf(vm), options)
        : client.virtualMachines.performMaintenance(vm.resourceGroup, vm.name, options);
      await poller.submitted(); // the 200/202 has arrived; nothing has been polled yet
      return toOperation(poller, await poller.serialize());
    } catch (err) {
      throw toArmError(err);
    }
  }

  function resumeMaintenance(vm: VmRef, state: string): MaintenanceOperation {
    const client = clientFor(vm.subscriptionId);
    try {
      const poller = restorePoller(client, state, performMaintenanceOf(client, vm), { updateIntervalInMs: opts.pollIntervalMs });
      return toOperation(poller, state);
    } catch (err) {
      throw toArmError(err);
    }
  }

  return { listVirtualMachines, getInstanceView, startMaintenance, resumeMaintenance, requestCount: () => sent };
}

function instanceIdOf(vm: VmRef): string {
  if (vm.scaleSetInstanceId === null) throw new Error(`Scale-set VM ${vm.name} has no instance id`);
  return vm.scaleSetInstanceId;
}
