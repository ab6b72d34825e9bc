#!/usr/bin/env node
/**
 * Lighthouse (mobile profile: Lighthouse's defaults, simulated slow 4G and a 4x slower CPU) on the
 * web app served by a running local platform: the sign-in page, then each area signed in.
 *
 *   node run.mjs <frontendUrl> <apiUrl> [--json out.json]
 *
 * Signing in: a fresh account is registered through the API, then signed in through the page;
 * Lighthouse then audits each area in that same tab with storage reset off, so the session
 * (the refresh token in sessionStorage) is the one a person would have. Browser: CHROMIUM or
 * /usr/bin/chromium (Debian's), driven by the puppeteer-core Lighthouse brings.
 */
import { writeFileSync } from "node:fs";
import lighthouse from "lighthouse";
import puppeteer from "puppeteer-core";

const [frontendUrl, apiUrl] = process.argv.slice(2);
const jsonOut = process.argv.includes("--json") ? process.argv[process.argv.indexOf("--json") + 1] : null;
if (!frontendUrl || !apiUrl) {
  console.error("usage: node run.mjs <frontendUrl> <apiUrl> [--json out.json]");
  process.exit(2);
}
const PAGES = [
  ["sign-in", "/sign-in", false],
  ["analytics", "/analytics", true],
  ["global-market", "/global-market", true],
  ["market-intelligence", "/market-intelligence", true],
  ["demand-insights", "/demand-insights", true],
  ["compliance", "/compliance", true],
  ["copilot", "/copilot", true],
];
const CATEGORIES = ["performance", "accessibility", "best-practices"];
const PASSWORD = "Correct-Horse-Battery-9";
const email = `lighthouse-${Date.now().toString(36)}@example.com`;

const register = await fetch(`${apiUrl}/auth/register`, {
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ email, password: PASSWORD, name: "Lighthouse" }),
});
if (register.status !== 201) throw new Error(`register answered ${register.status}`);

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
const results = [];
try {
  const page = await browser.newPage();
  for (const [name, path, signedIn] of PAGES) {
    if (signedIn && !results.some((r) => r.signedIn)) {
      await page.goto(`${frontendUrl}/sign-in`, { waitUntil: "networkidle0" });
      await page.type("input[type=email]", email);
      await page.type("input[type=password]", PASSWORD);
      await Promise.all([page.waitForNavigation({ waitUntil: "networkidle0" }).catch(() => {}), page.click("button[type=submit]")]);
      await page.waitForSelector("nav[aria-label=Main]");
    }
    const { lhr } = await lighthouse(
      `${frontendUrl}${path}`,
      { onlyCategories: CATEGORIES, disableStorageReset: signedIn, logLevel: "error", output: "json" },
      undefined,
      page,
    );
    const scores = Object.fromEntries(CATEGORIES.map((c) => [c, lhr.categories[c]?.score ?? null]));
    const failing = Object.values(lhr.audits)
      .filter((a) => a.score !== null && a.score < 1 && ["binary", "numeric"].includes(a.scoreDisplayMode) && a.details?.type !== "opportunity")
      .filter((a) => lhr.categories.accessibility.auditRefs.some((r) => r.id === a.id) || lhr.categories["best-practices"].auditRefs.some((r) => r.id === a.id))
      .map((a) => a.id);
    results.push({
      name,
      path,
      signedIn,
      finalUrl: lhr.finalDisplayedUrl,
      ...scores,
      lcpMs: Math.round(lhr.audits["largest-contentful-paint"].numericValue),
      tbtMs: Math.round(lhr.audits["total-blocking-time"].numericValue),
      cls: Number(lhr.audits["cumulative-layout-shift"].numericValue.toFixed(3)),
      failing,
    });
    const r = results.at(-1);
    console.log(
      `${name.padEnd(20)} perf ${r.performance?.toFixed(2)}  a11y ${r.accessibility?.toFixed(2)}  best ${r["best-practices"]?.toFixed(2)}  LCP ${r.lcpMs} ms  TBT ${r.tbtMs} ms  CLS ${r.cls}${failing.length ? `  failing: ${failing.join(", ")}` : ""}${new URL(r.finalUrl).pathname !== path ? `  (ended on ${r.finalUrl})` : ""}`,
    );
  }
} finally {
  await browser.close();
}
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 2));
