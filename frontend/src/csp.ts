/**
 * The Content-Security-Policy <meta> the build writes into index.html (vite.config.ts; build
 * only: Vite's dev server injects inline scripts). Build-time code, not part of the app bundle.
 *
 * The refresh token lives in sessionStorage (see src/api/session.ts), where any script running
 * on the page could read it: the policy is what stops injected or third-party scripts from
 * running at all, and `connect-src` is where a page could still send it. So a build may call
 * the site itself and the one API origin baked into it (VITE_API_URL), nothing else: no
 * loopback wildcard in a production build. The local platform builds its own copy with the
 * local API's URL (local/frontend.py); when it has to serve a build made for AWS instead, it
 * adds the local API's origin to that copy's policy as it serves it.
 *
 * The site's response headers add a second policy for every file (frame-ancestors and the rest,
 * components/frontend_site.py SECURITY_HEADERS); a browser enforces both.
 */

export function apiOrigin(apiUrl: string): string {
  const url = apiUrl.trim();
  if (!url) return "";
  const origin = /^https?:\/\/[^/?#\s]+/i.exec(url)?.[0];
  if (!origin) throw new Error(`VITE_API_URL is not an http(s) URL: ${JSON.stringify(apiUrl)}`);
  return origin;
}

export function contentSecurityPolicy(apiUrl: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    ["connect-src 'self'", apiOrigin(apiUrl)].filter(Boolean).join(" "),
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
  ].join("; ");
}

/** index.html with the policy right after <meta charset>: before any script or stylesheet. */
export function withContentSecurityPolicy(html: string, apiUrl: string): string {
  const charset = /<meta charset="UTF-8" \/>/i;
  if (!charset.test(html)) throw new Error("index.html: <meta charset> not found for the CSP");
  const policy = contentSecurityPolicy(apiUrl);
  return html.replace(charset, (tag) => `${tag}\n    <meta http-equiv="Content-Security-Policy" content="${policy}" />`);
}
