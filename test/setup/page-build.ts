// Before any test file: the page must be built (dist/web) for the tests that load it in Chromium and for the
// service processes tests start. Builds only when web/ changed since the last build.
import { ensurePageBuilt } from "../../web/build.js";

export default async function setup(): Promise<void> {
  await ensurePageBuilt();
}
