// Summarises a V8 .cpuprofile (written by `node --cpu-prof`): where the process spent its own (self) time, by
// function and by area (a package under node_modules, a folder of ours, Node's internals, GC).
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileLine {
  name: string;
  selfMs: number;
  /** Share of the busy (non-idle) time. */
  percent: number;
}

export interface ProfileSummary {
  busyMs: number;
  functions: ProfileLine[];
  areas: ProfileLine[];
}

/** `node_modules/@scope/pkg/...` → `@scope/pkg`; our files → their folder under the package root. */
export function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return "node internals";
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1];
  const ours = /\/(src|dist\/src|bench)\/(.*)$/.exec(url);
  if (ours) return `${ours[1]}/${ours[2].split("/").slice(0, -1).join("/") || "."}`;
  return url;
}

function shortUrl(url: string): string {
  const modules = /node_modules\/(.*)$/.exec(url);
  if (modules) return modules[1];
  const ours = /\/((?:dist\/)?src\/.*|bench\/.*)$/.exec(url);
  return ours ? ours[1] : url;
}

function top(map: Map<string, number>, busy: number, n: number): ProfileLine[] {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, us]) => ({ name, selfMs: Math.round(us / 1000), percent: Math.round((us / busy) * 1000) / 10 }));
}

export function summariseCpuProfile(file: string, n = 12): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id);
    const us = profile.timeDeltas[i] ?? 0;
    if (!frame || frame.functionName === "(idle)") return;
    busy += us;
    const name = frame.url ? `${frame.functionName || "(anonymous)"} ${shortUrl(frame.url)}:${frame.lineNumber + 1}` : frame.functionName || "(native)";
    functions.set(name, (functions.get(name) ?? 0) + us);
    const area = areaOf(frame.url, frame.functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
  });
  return { busyMs: Math.round(busy / 1000), functions: top(functions, busy, n), areas: top(areas, busy, n) };
}
