// Entry point: read the service's page configuration, sign in if needed, then show the planner.
import { render } from "preact";
import { createApi } from "./api";
import { createAuth } from "./auth";
import { App } from "./components/App";
import type { UiConfig } from "./types";
import "./styles.css";

async function start(root: HTMLElement) {
  try {
    const res = await fetch("/ui-config.json", { cache: "no-store" });
    if (!res.ok) throw new Error(`GET /ui-config.json answered ${res.status}`);
    const config = (await res.json()) as UiConfig;
    const auth = await createAuth(config);
    render(<App api={createApi(() => auth.token())} auth={auth} pollMs={config.pollIntervalMs ?? 5_000} />, root);
  } catch (error) {
    root.textContent = `The page could not start: ${error instanceof Error ? error.message : String(error)}`;
  }
}

void start(document.getElementById("app")!);
