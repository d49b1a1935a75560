// The options every command shares, turned into a client and an output format once.
import { MaintenancePlannerClient } from "@maintenance-planner/client";
import type { Command } from "commander";
import type { OutputFormat } from "./output.js";

export interface GlobalOptions {
  url: string;
  token?: string;
  scope?: string;
  output?: OutputFormat;
}

export interface Context {
  client: MaintenancePlannerClient;
  output: OutputFormat;
}

export function contextOf(command: Command): Context {
  const opts = command.optsWithGlobals<GlobalOptions>();
  return {
    client: new MaintenancePlannerClient({ baseUrl: opts.url, token: opts.token, scope: opts.scope }),
    // Tables for people at a terminal, JSON for pipes and pipelines.
    output: opts.output ?? (process.stdout.isTTY ? "table" : "json"),
  };
}
