import react from "@vitejs/plugin-react";
import { type Plugin, type ResolvedConfig } from "vite";
import { defineConfig } from "vitest/config";

/**
 * A Content-Security-Policy <meta> for the production build. The refresh token lives in
 * sessionStorage (see src/api/session.ts), where any script running on the page could read
 * it: the policy is what stops injected or third-party scripts from running at all.
 * `connect-src` allows the API baked in at build time (VITE_API_URL) and the loopback
 * addresses the local platform serves its API on (its /config.json may point a build made
 * for AWS at the local API). Not in dev: Vite's dev server injects inline scripts.
 */
function contentSecurityPolicy(): Plugin {
  let config: ResolvedConfig;
  return {
    name: "content-security-policy",
    apply: "build",
    configResolved(resolved) {
      config = resolved;
    },
    transformIndexHtml(html) {
      const apiUrl = String(config.env.VITE_API_URL ?? "").trim();
      const apiOrigin = /^https?:\/\/[^/?#\s]+/i.exec(apiUrl)?.[0] ?? "";
      if (apiUrl && !apiOrigin) throw new Error(`VITE_API_URL is not an http(s) URL: ${JSON.stringify(apiUrl)}`);
      const policy = [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        ["connect-src 'self'", apiOrigin, "http://127.0.0.1:* http://localhost:*"].filter(Boolean).join(" "),
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
      ].join("; ");
      // Right after <meta charset>: before any script or stylesheet the page loads.
      const charset = /<meta charset="UTF-8" \/>/i;
      if (!charset.test(html)) throw new Error("index.html: <meta charset> not found for the CSP");
      return html.replace(charset, (tag) => `${tag}\n    <meta http-equiv="Content-Security-Policy" content="${policy}" />`);
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
