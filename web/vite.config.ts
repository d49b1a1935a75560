// Vite builds the page (index.html) and MSAL's redirect bridge (auth-redirect.html) into dist/web, with hashed
// asset names under /assets/. Preact's JSX, no plugin: the transform only needs the import source.
import { defineConfig } from "vite";

export default defineConfig({
  root: import.meta.dirname,
  base: "/",
  logLevel: "warn",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "../dist/web",
    emptyOutDir: true,
    target: "es2022",
    // No data: URIs: the page's Content-Security-Policy allows images and fonts from its own origin only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    rolldownOptions: { input: { index: "index.html", "auth-redirect": "auth-redirect.html" } },
  },
});
