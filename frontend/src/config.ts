/**
 * Where the API is. The pipeline bakes `VITE_API_URL` into the bundle (deploy/frontend.py
 * writes it to .env.production); `/config.json`, read once at start-up, may override it at run
 * time. The site ships an empty one; the local platform (local/frontend.py) serves its own,
 * `{"apiUrl": "http://127.0.0.1:8080/dev", "stage": "dev", "local": true}`, so a build made
 * for AWS still talks to the local API.
 */

export interface AppConfig {
  /** the stage's invoke URL, without a trailing slash: `https://<id>.execute-api.<region>.amazonaws.com/<stage>` */
  apiUrl: string;
  stage?: string;
  local: boolean;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

const RUNTIME_CONFIG_PATH = "config.json";
const RUNTIME_CONFIG_TIMEOUT_MS = 3000;

function asApiUrl(value: unknown): string | undefined {
  if (typeof value !== "string" || !value.trim()) return undefined;
  try {
    const url = new URL(value.trim());
    if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
    return url.href.replace(/\/+$/, "");
  } catch {
    return undefined;
  }
}

/** The runtime config, or {} when there is none or it is not JSON (a CDN's SPA fallback
 * answers index.html for a missing file). */
async function fetchRuntimeConfig(fetchImpl: typeof fetch, baseUrl: string): Promise<Record<string, unknown>> {
  try {
    const response = await fetchImpl(`${baseUrl}${RUNTIME_CONFIG_PATH}`, {
      cache: "no-store",
      signal: AbortSignal.timeout(RUNTIME_CONFIG_TIMEOUT_MS),
    });
    if (!response.ok) return {};
    const body: unknown = JSON.parse(await response.text());
    return body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export async function loadConfig(
  fetchImpl: typeof fetch = (...args) => globalThis.fetch(...args),
  env: { VITE_API_URL?: string; VITE_STAGE?: string; BASE_URL: string } = import.meta.env,
): Promise<AppConfig> {
  const runtime = await fetchRuntimeConfig(fetchImpl, env.BASE_URL);
  const apiUrl = asApiUrl(runtime.apiUrl) ?? asApiUrl(env.VITE_API_URL);
  if (!apiUrl) {
    throw new ConfigError(
      "The API address is not configured: build with VITE_API_URL set, or serve a config.json with apiUrl.",
    );
  }
  const stage = typeof runtime.stage === "string" ? runtime.stage : env.VITE_STAGE || undefined;
  return { apiUrl, stage, local: runtime.local === true };
}
