import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { AppDeps } from "../../app.js";
import { getVirtualMachine, listVirtualMachinesPage } from "../../services/virtual-machines.js";
import { IdParams, problemsFor } from "../schemas/common.js";
import { VirtualMachineDetail, VirtualMachinePage, VirtualMachineQuery } from "../schemas/virtual-machines.js";
import { nextLink } from "../pagination.js";
import { virtualMachineDetailJson, virtualMachineJson } from "../../representations.js";

export const virtualMachineRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get("/v1/virtual-machines", {
    config: { role: "Maintenance.Read", scoped: true, conditionalGet: true },
    schema: {
      operationId: "listVirtualMachines",
      tags: ["virtual-machines"],
      summary: "List VMs and scale-set instances with their current maintenance",
      querystring: VirtualMachineQuery,
      response: { 200: VirtualMachinePage, ...problemsFor(["validation-failed", "invalid-cursor"]) },
    },
  }, async (request) => {
    const { limit = 100, cursor, ...filters } = request.query;
    const page = await listVirtualMachinesPage(deps.db.pool, { ...filters, scope: request.scope }, limit, cursor, deps.clock());
    return { value: page.items.map(virtualMachineJson), nextLink: nextLink(request, page.nextCursor) };
  });

  app.get("/v1/virtual-machines/:id", {
    config: { role: "Maintenance.Read", scoped: true, conditionalGet: true },
    schema: {
      operationId: "getVirtualMachine",
      tags: ["virtual-machines"],
      summary: "One VM with its current maintenance and window history",
      params: IdParams,
      response: { 200: VirtualMachineDetail, ...problemsFor(["validation-failed", "not-found"]) },
    },
  }, async (request) => virtualMachineDetailJson(await getVirtualMachine(deps.db.prisma, request.params.id, request.scope)));
};
