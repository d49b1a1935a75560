#!/usr/bin/env node
// The CLI is TypeScript; tsx (a dev dependency of the repository, installed by `npm ci`) compiles it as it loads.
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
