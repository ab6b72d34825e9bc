#!/usr/bin/env node
/**
 * The bundle budgets, measured on a production build (dist/, made by `npm run build`):
 *
 *   - first load: the entry chunk and every chunk it imports statically (what a visitor to the
 *     sign-in page downloads before anything shows) <= 100 KB of gzipped JavaScript;
 *   - each area's page is its own chunk (loaded with its route), and the chart module with d3
 *     is not in the first load.
 *
 * Reads Vite's manifest (dist/.vite/manifest.json), gzips each chunk (level 9, like a CDN's
 * static compression) and prints a table. Exits 1 when a budget is broken.
 *
 *   node scripts/bundle-size.mjs [distDir] [--json]
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";

const FIRST_LOAD_BUDGET_KB = 100;
const AREA_PAGES = [
  "AnalyticsPage",
  "GlobalMarketPage",
  "MarketIntelligencePage",
  "DemandInsightsPage",
  "CompliancePage",
  "RetailCopilotPage",
];

const args = process.argv.slice(2);
const dist = resolve(args.find((a) => !a.startsWith("--")) ?? "dist");
const manifest = JSON.parse(readFileSync(join(dist, ".vite", "manifest.json"), "utf8"));

const kb = (bytes) => bytes / 1024;
const gz = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;

/** the manifest key of a chunk and every chunk it imports statically, transitively */
function staticClosure(key, seen = new Set()) {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const dep of manifest[key]?.imports ?? []) staticClosure(dep, seen);
  return seen;
}

const entries = Object.keys(manifest).filter((k) => manifest[k].isEntry);
if (entries.length !== 1) throw new Error(`expected one entry in the manifest, found ${entries.join(", ")}`);
const firstLoad = [...staticClosure(entries[0])];
const firstLoadFiles = firstLoad.map((k) => manifest[k].file);
const firstLoadKb = kb(firstLoadFiles.reduce((sum, f) => sum + gz(f), 0));

const failures = [];
if (firstLoadKb > FIRST_LOAD_BUDGET_KB)
  failures.push(`first load is ${firstLoadKb.toFixed(1)} KB gzipped, over the ${FIRST_LOAD_BUDGET_KB} KB budget`);

const areas = AREA_PAGES.map((page) => {
  const key = Object.keys(manifest).find((k) => k.endsWith(`/${page}.tsx`));
  if (!key) {
    failures.push(`${page} is not a chunk of its own`);
    return { page, file: "-", kb: 0, withDeps: 0 };
  }
  const chunk = manifest[key];
  if (!chunk.isDynamicEntry) failures.push(`${page} is not loaded lazily`);
  if (firstLoad.includes(key)) failures.push(`${page} is in the first load`);
  const own = [...staticClosure(key)].filter((k) => !firstLoad.includes(k));
  return {
    page,
    file: chunk.file,
    kb: kb(gz(chunk.file)),
    withDeps: kb(own.reduce((sum, k) => sum + gz(manifest[k].file), 0)),
  };
});
const charts = Object.keys(manifest).find((k) => k.includes("/charts/") || manifest[k].name === "charts");
if (charts && firstLoad.includes(charts)) failures.push("the chart module is in the first load");

const report = {
  firstLoadKb: Number(firstLoadKb.toFixed(1)),
  budgetKb: FIRST_LOAD_BUDGET_KB,
  firstLoadFiles,
  areas: areas.map((a) => ({ ...a, kb: Number(a.kb.toFixed(1)), withDeps: Number(a.withDeps.toFixed(1)) })),
  failures,
};
if (args.includes("--json")) {
  console.log(JSON.stringify(report, null, 2));
} else {
  console.log(`first load: ${firstLoadKb.toFixed(1)} KB gzipped JS (budget ${FIRST_LOAD_BUDGET_KB} KB): ${firstLoadFiles.join(", ")}`);
  console.log("area                      own chunk   opened from sign-in (with charts and shared code)");
  for (const a of areas) console.log(`${a.page.padEnd(26)}${a.kb.toFixed(1).padStart(6)} KB ${a.withDeps.toFixed(1).padStart(10)} KB`);
  for (const f of failures) console.error(`FAIL: ${f}`);
}
process.exit(failures.length ? 1 : 0);
