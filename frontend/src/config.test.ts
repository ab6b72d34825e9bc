import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config";

const BUILD = { VITE_API_URL: "https://abc.execute-api.us-east-2.amazonaws.com/dev", VITE_STAGE: "dev", BASE_URL: "/" };

function serving(body: string, status = 200) {
  const requested: string[] = [];
  const fetchImpl = (async (input: RequestInfo | URL) => {
    requested.push(String(input));
    return new Response(body, { status });
  }) as typeof fetch;
  return { fetchImpl, requested };
}

describe("loadConfig", () => {
  it("uses the build's VITE_API_URL when the site's config.json is empty", async () => {
    const { fetchImpl, requested } = serving("{}");
    expect(await loadConfig(fetchImpl, BUILD)).toEqual({
      apiUrl: "https://abc.execute-api.us-east-2.amazonaws.com/dev",
      stage: "dev",
      local: false,
    });
    expect(requested).toEqual(["/config.json"]);
  });

  it("lets the local platform's /config.json override the API URL", async () => {
    const { fetchImpl } = serving(JSON.stringify({ apiUrl: "http://127.0.0.1:8080/dev/", stage: "dev", local: true }));
    expect(await loadConfig(fetchImpl, BUILD)).toEqual({ apiUrl: "http://127.0.0.1:8080/dev", stage: "dev", local: true });
  });

  it("ignores an index.html served in place of config.json, and a missing one", async () => {
    expect((await loadConfig(serving("<!doctype html><html></html>").fetchImpl, BUILD)).apiUrl).toBe(BUILD.VITE_API_URL);
    expect((await loadConfig(serving("not found", 404).fetchImpl, BUILD)).apiUrl).toBe(BUILD.VITE_API_URL);
    const offline = (() => Promise.reject(new TypeError("offline"))) as typeof fetch;
    expect((await loadConfig(offline, BUILD)).apiUrl).toBe(BUILD.VITE_API_URL);
  });

  it("refuses to start without any API URL", async () => {
    await expect(loadConfig(serving("{}").fetchImpl, { BASE_URL: "/" })).rejects.toBeInstanceOf(ConfigError);
    await expect(
      loadConfig(serving(JSON.stringify({ apiUrl: "javascript:alert(1)" })).fetchImpl, { BASE_URL: "/" }),
    ).rejects.toBeInstanceOf(ConfigError);
  });
});
