import react from "@vitejs/plugin-react";
import { type Plugin, type ResolvedConfig } from "vite";
import { defineConfig } from "vitest/config";
import { withContentSecurityPolicy } from "./src/csp";

/** The production build's Content-Security-Policy <meta> (src/csp.ts: only the API baked in
 * at build time, VITE_API_URL, may be called). Not in dev: Vite's dev server injects inline
 * scripts. */
function contentSecurityPolicy(): Plugin {
  let config: ResolvedConfig;
  return {
    name: "content-security-policy",
    apply: "build",
    configResolved(resolved) {
      config = resolved;
    },
    transformIndexHtml(html) {
      return withContentSecurityPolicy(html, String(config.env.VITE_API_URL ?? ""));
    },
  };
}

export default defineConfig({
  plugins: [react(), contentSecurityPolicy()],
  // dist/.vite/manifest.json: which chunks the first load needs (scripts/bundle-size.mjs)
  // No modulepreload polyfill: every browser the app supports preloads modules natively.
  build: { manifest: true, modulePreload: { polyfill: false } },
  server: {
    // The local platform's API allows one origin, http://127.0.0.1:5173 (`./dev up --no-frontend`
    // leaves that port to this dev server).
    host: "127.0.0.1",
    port: 5173,
    strictPort: true,
  },
  preview: { host: "127.0.0.1", port: 5173, strictPort: true },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
    restoreMocks: true,
    unstubEnvs: true,
    // an area test renders a whole page with its charts: seconds on a busy 2-core machine
    testTimeout: 20_000,
  },
});
