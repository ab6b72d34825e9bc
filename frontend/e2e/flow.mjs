#!/usr/bin/env node
/**
 * The app in a real browser against the real local platform (tests/test_browser_e2e.py starts
 * the platform and runs this):
 *
 *   node e2e/flow.mjs <frontendUrl> <apiUrl> [screenshot.png]
 *
 * Registers a new user, sees the app shell, visits every service's area and checks what it shows
 * against what the API answered (Analytics: the KPIs and the sales chart, also by month; Global
 * market: the regions' chart, a region's revenue and the HHI; Market intelligence: the forecast
 * chart with its interval band and model; Demand insights: the segments' bars and the value at
 * risk; Compliance: the fraud checker's score and reasons, then a case opened from it, on the
 * board; Retail copilot: a question, its answer and table, a follow-up in the same
 * conversation), renames the user on the profile (the name survives a reload), signs out, tries
 * a wrong password (the error shows), signs in again. Screenshot at the end
 * (and `<screenshot>.failure.png` when a step fails). Exits 1 naming the step that failed.
 *
 * Browser: CHROMIUM (default /usr/bin/chromium, Debian's package), driven by playwright-core:
 * no browser download.
 */
import { chromium } from "playwright-core";

const [frontendUrl, apiUrl, screenshot = "e2e-final.png"] = process.argv.slice(2);
if (!frontendUrl || !apiUrl) {
  console.error("usage: node e2e/flow.mjs <frontendUrl> <apiUrl> [screenshot.png]");
  process.exit(2);
}
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
const STEP_TIMEOUT_MS = 15_000;
const PASSWORD = "Correct-Horse-Battery-9";
const WRONG_PASSWORD = "Wrong-Horse-Battery-9";
const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const EMAIL = `e2e-${suffix}@example.com`;
const NAME = "Ada E2E";
const NEW_NAME = `Ada King ${suffix}`;

const started = Date.now();
let currentStep = "launching the browser";

class FlowError extends Error {}
function check(condition, message) {
  if (!condition) throw new FlowError(message);
}

async function step(name, fn) {
  currentStep = name;
  const t = Date.now();
  await fn();
  console.log(`  ok  ${name} (${Date.now() - t} ms)`);
}

const pageErrors = [];
const consoleErrors = [];
let browser = null;
let page = null;

const heading = (name) => page.getByRole("heading", { level: 1, name, exact: true });
/** the area section titled `name` (components/Section.tsx: a region named by its h2) */
const region = (name) => page.getByRole("region", { name, exact: true });
const MODEL_NAMES = { holt_winters: "Holt-Winters", seasonal_naive: "Seasonal naive", linear_trend: "Linear trend" };
// The app's formats (src/components/format.ts), to compare what it shows with what the API said.
const money = (value, currency = "USD") => new Intl.NumberFormat("en-US", { style: "currency", currency }).format(value);
const count = (value) => new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 }).format(value);
const rate = (value) => new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 2 }).format(value);

async function openArea(title) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: title, exact: true }).click();
  await heading(title).waitFor();
}

/** the JSON of a 200 answer, or the step fails with the status and the API's error */
async function json200(answerPromise) {
  const answer = await answerPromise;
  const text = await answer.text();
  check(answer.status() === 200, `${answer.request().method()} ${new URL(answer.url()).pathname} answered ${answer.status()}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

async function expectText(locator, expected) {
  await locator.first().waitFor();
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  let actual = "";
  while (Date.now() < deadline) {
    actual = ((await locator.first().textContent()) ?? "").trim();
    if (actual === expected) return;
    await page.waitForTimeout(100);
  }
  throw new FlowError(`expected ${JSON.stringify(expected)}, the page shows ${JSON.stringify(actual)}`);
}

/** a line chart in `section` whose first line has `points` points */
async function drawnLine(section, points) {
  const path = section.locator(`svg[role=img] path.chart-series[data-points="${points}"]`).first();
  await path.waitFor();
  const d = await path.getAttribute("d");
  check(d && d.startsWith("M") && d.split(/[LC]/).length >= Math.min(points, 2), `the line is not drawn: ${d}`);
}

/** a screenshot of the page as it is, when E2E_SHOTS names a folder (for looking at the areas) */
async function shoot(name) {
  if (process.env.E2E_SHOTS) await page.screenshot({ path: `${process.env.E2E_SHOTS}/${name}.png`, fullPage: true });
}
/** The next answer to `method ... path`; start waiting before the click that sends it. */
function apiAnswer(method, path, queryHas = "") {
  const answer = page.waitForResponse(
    (r) => r.request().method() === method && new URL(r.url()).pathname.endsWith(path) && r.url().includes(queryHas),
  );
  answer.catch(() => {}); // a step that fails first reports its own error
  return answer;
}

async function signIn(email, password) {
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  const answer = apiAnswer("POST", "/auth/login");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  return answer;
}

let failed = null;
try {
  browser = await chromium.launch({
    executablePath,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  page.on("pageerror", (error) => pageErrors.push(String(error)));
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });

  await step("the API is up", async () => {
    const health = await fetch(`${apiUrl}/health`);
    check(health.ok, `GET ${apiUrl}/health answered ${health.status}`);
  });

  await step("the site opens on sign-in, built for the local API", async () => {
    await page.goto(frontendUrl);
    await heading("Sign in").waitFor();
    // Vite bakes VITE_API_URL into the build; its origin is in the page's CSP (vite.config.ts).
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
    const apiOrigin = new URL(apiUrl).origin;
    check(csp?.includes(apiOrigin), `the served build is not made for ${apiOrigin}: CSP is ${JSON.stringify(csp)}`);
  });

  await step(`registering ${EMAIL} lands in the app shell`, async () => {
    await page.getByRole("link", { name: "Create an account" }).click();
    await heading("Create an account").waitFor();
    await page.getByLabel("Name", { exact: true }).fill(NAME);
    await page.getByLabel("Email", { exact: true }).fill(EMAIL);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByLabel("Confirm password", { exact: true }).fill(PASSWORD);
    const registered = apiAnswer("POST", "/auth/register");
    await page.getByRole("button", { name: "Create account" }).click();
    const answer = await registered;
    check(answer.status() === 201, `POST /auth/register answered ${answer.status()}: ${await answer.text()}`);
    check(answer.url().startsWith(apiUrl), `the app called ${answer.url()}, not the local API ${apiUrl}`);
    await heading("Overview").waitFor();
    await page.getByRole("navigation", { name: "Main" }).waitFor();
    await page.getByText(`Welcome, ${NAME}.`).waitFor();
  });

  await step("Analytics shows the API's KPIs and draws the sales chart", async () => {
    const kpis = apiAnswer("GET", "/analytics/kpis");
    const sales = apiAnswer("GET", "/analytics/sales-timeseries");
    await openArea("Analytics");
    const report = await json200(kpis);
    const figures = region("Key figures");
    const card = (label) => figures.locator(".kpi").filter({ has: page.getByText(label, { exact: true }) });
    await expectText(card("Revenue").locator(".kpi-value"), money(report.revenue.value, report.currency));
    await expectText(card("Orders").locator(".kpi-value"), count(report.orders.value));
    const series = await json200(sales);
    check(series.points.length > 1, `the sales series has ${series.points.length} points`);
    await drawnLine(region("Sales"), series.points.length);
    // the granularity switch asks again and redraws
    const monthly = apiAnswer("GET", "/analytics/sales-timeseries");
    await region("Sales").getByRole("button", { name: "Month", exact: true }).click();
    const months = await json200(monthly);
    check(months.granularity === "month", `asked for months, got ${months.granularity}`);
    await region("Sales").getByRole("img", { name: /^Revenue by month/ }).waitFor();
    await drawnLine(region("Sales"), months.points.length);
    await region("Retention cohorts").locator("svg[role=img] rect.heat-cell").first().waitFor();
    await shoot("analytics");
  });

  await step("Global market shows the regions' chart and the market share with its HHI", async () => {
    // the chart asks for two years of months back from the data's last day
    const trends = apiAnswer("GET", "/global-market/trends", "from=");
    const share = apiAnswer("GET", "/global-market/market-share");
    await openArea("Global market");
    const t = await json200(trends);
    check(t.regions.length > 0, "no region in the trends");
    check(t.regions[0].points.length > 1, `a region's trend has ${t.regions[0].points.length} points`);
    const top = [...t.regions].sort((a, b) => b.revenue - a.revenue)[0];
    const section = region("Sales by region");
    const chart = section.getByRole("img", { name: /^Revenue by month/ });
    await chart.waitFor();
    await drawnLine(section, t.regions.sort((a, b) => b.revenue - a.revenue)[0].points.length);
    const lines = await chart.locator("path.chart-series").count();
    check(lines === Math.min(6, t.regions.length), `${lines} region lines drawn for ${t.regions.length} regions`);
    const row = section.getByRole("row").filter({ has: page.getByRole("rowheader", { name: top.region, exact: true }) });
    await expectText(row.getByRole("cell").first(), money(top.revenue, t.currency));
    const m = await json200(share);
    const hhi = region("Market share").locator("dt", { hasText: "HHI across regions" }).locator("xpath=following-sibling::dd[1]");
    await expectText(hhi, count(m.concentration.regionHhi));
    await shoot("global-market");
  });

  await step("Market intelligence draws the forecast with its interval band and names the model", async () => {
    const forecast = apiAnswer("POST", "/market-intelligence/forecast");
    await openArea("Market intelligence");
    const f = await json200(forecast);
    check(f.points.length === 30, `the default forecast has ${f.points.length} points, not 30`);
    const section = region("Forecast");
    const chart = section.getByRole("img", { name: new RegExp(`^${f.metric} forecast by ${f.granularity} with`) });
    await chart.waitFor();
    const band = await chart.locator("path.chart-band").getAttribute("d");
    check(band && band.length > 50, `the interval band is not drawn: ${band}`);
    const drawn = await chart.locator("path.chart-series").nth(1).getAttribute("data-points");
    check(Number(drawn) === f.points.length, `the forecast line has ${drawn} points, the API answered ${f.points.length}`);
    await section.locator("strong", { hasText: MODEL_NAMES[f.model] }).first().waitFor();
    await section.getByRole("table", { name: /^Models compared/ }).waitFor();
    await shoot("market-intelligence");
  });

  await step("Demand insights shows the segments and the value at risk", async () => {
    const segments = apiAnswer("GET", "/demand-insights/segments");
    const atRisk = apiAnswer("GET", "/demand-insights/at-risk-customers");
    await openArea("Demand insights");
    const s = await json200(segments);
    check(s.segments.length >= 2, `${s.segments.length} segments`);
    const bars = region("Customer segments").getByRole("img", { name: /^Customers per segment/ });
    await bars.waitFor();
    const drawn = await bars.locator("rect").count();
    check(drawn === s.segments.length, `${drawn} bars for ${s.segments.length} segments`);
    const risk = await json200(atRisk);
    if (risk.totalValueAtRisk !== undefined)
      await expectText(region("Customers at risk").locator("strong").first(), money(risk.totalValueAtRisk, risk.currency ?? "USD"));
    await shoot("demand-insights");
  });

  await step("Compliance: the fraud checker scores a payment with its reasons, and a case is opened from it", async () => {
    await openArea("Compliance");
    const checker = region("Fraud checker");
    await checker.getByLabel("Amount", { exact: true }).fill("4999");
    await checker.getByLabel("Billing country", { exact: true }).fill("US");
    await checker.getByLabel("Shipping country", { exact: true }).fill("GB");
    await checker.getByLabel("IP country", { exact: true }).fill("NG");
    await checker.getByLabel("Attempts", { exact: true }).fill("5");
    const scored = apiAnswer("POST", "/compliance/fraud-detection");
    await checker.getByRole("button", { name: "Check transaction" }).click();
    const a = await json200(scored);
    await expectText(checker.locator("p.score"), rate(a.score));
    await checker.locator(`.badge-${a.decision}`).first().waitFor();
    check(a.reasons.length > 0, "the assessment gives no reasons");
    await checker.getByText(a.reasons[0].message, { exact: false }).first().waitFor();
    const opened = apiAnswer("POST", "/compliance/cases");
    const noted = apiAnswer("PATCH", ""); // the check's outcome, as the case's first note
    await checker.getByRole("button", { name: "Open a case" }).click();
    const answer = await opened;
    check(answer.status() === 201, `POST /compliance/cases answered ${answer.status()}: ${await answer.text()}`);
    const created = await answer.json();
    const note = await json200(noted);
    check(note.caseId === created.caseId && note.notes?.some((n) => n.text.startsWith("Fraud check:")), `the note is not on the case: ${JSON.stringify(note).slice(0, 300)}`);
    await checker.getByRole("status").getByText(`Case opened: ${created.title}`).waitFor();
    // the board shows it among the open cases once it has asked again
    await page.getByRole("region", { name: "Open cases" }).getByRole("article", { name: created.title }).waitFor();
    await region("Fraud statistics").locator("p").first().waitFor();
    await shoot("compliance");
  });

  await step("Retail copilot holds a conversation: an answer with its table, then a follow-up", async () => {
    await openArea("Retail copilot");
    const chat = page.locator("section", { has: page.getByRole("heading", { level: 2, name: "New conversation" }) });
    await chat.getByLabel("Your question").fill("Top 5 products by revenue");
    const first = apiAnswer("POST", "/copilot/chat");
    await chat.getByRole("button", { name: "Ask", exact: true }).click();
    const answer = await json200(first);
    check(answer.answer && answer.conversationId, `not an answer: ${JSON.stringify(answer).slice(0, 200)}`);
    const messages = page.getByRole("list", { name: "Messages" });
    const firstWords = answer.answer.replace(/[*_`#|]/g, "").trim().split(/\s+/).slice(0, 3).join(" ");
    await messages.getByText(firstWords, { exact: false }).first().waitFor();
    if (answer.data?.rows?.length) {
      const table = messages.getByRole("table", { name: "The data behind the answer" }).first();
      const rows = await table.locator("tbody tr").count();
      check(rows === Math.min(10, answer.data.rows.length), `${rows} rows shown for ${answer.data.rows.length}`);
    }
    // the conversation is in the list
    await page.getByRole("region", { name: "Conversations" }).locator(".conversation-title").first().waitFor();
    const followUp = apiAnswer("POST", "/copilot/chat");
    const suggestion = answer.suggestions?.[0];
    if (suggestion) await messages.getByRole("button", { name: suggestion, exact: true }).first().click();
    else {
      await page.getByLabel("Your question").fill("and last month?");
      await page.getByRole("button", { name: "Ask", exact: true }).click();
    }
    const second = await followUp;
    check(second.status() === 200, `the follow-up answered ${second.status()}`);
    const secondAnswer = await second.json();
    check(secondAnswer.conversationId === answer.conversationId, "the follow-up was not asked in the same conversation");
    await page.locator(".message-user").nth(1).waitFor();
    await shoot("copilot");
  });

  await step("the profile saves a new name that survives a reload", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Profile" }).click();
    await heading("Your profile").waitFor();
    await page.getByText(EMAIL, { exact: true }).waitFor();
    const name = page.getByLabel("Display name");
    check((await name.inputValue()) === NAME, `the profile shows the name ${await name.inputValue()}`);
    await name.fill(NEW_NAME);
    const saved = apiAnswer("PATCH", "/auth/me");
    await page.getByRole("button", { name: "Save name" }).click();
    check((await saved).status() === 200, `PATCH /auth/me answered ${(await saved).status()}`);
    await page.getByRole("status").getByText("Your name was saved.").waitFor();
    await page.reload();
    await heading("Your profile").waitFor();
    await page.getByRole("link", { name: NEW_NAME, exact: true }).waitFor(); // the header
    const value = await page.getByLabel("Display name").inputValue();
    check(value === NEW_NAME, `after a reload the name is ${JSON.stringify(value)}, not ${JSON.stringify(NEW_NAME)}`);
  });

  await step("signing out returns to sign-in", async () => {
    const logout = apiAnswer("POST", "/auth/logout");
    await page.getByRole("button", { name: "Sign out" }).click();
    check((await logout).status() === 204, `POST /auth/logout answered ${(await logout).status()}`);
    await heading("Sign in").waitFor();
  });

  await step("a wrong password shows the API's error", async () => {
    const answer = await signIn(EMAIL, WRONG_PASSWORD);
    check(answer.status() === 401, `POST /auth/login with a wrong password answered ${answer.status()}`);
    const { error } = await answer.json();
    const alert = page.getByRole("alert");
    await alert.getByText("Sign-in failed", { exact: true }).waitFor();
    await alert.getByText(error.message, { exact: true }).waitFor();
    check(new URL(page.url()).pathname === "/sign-in", `left the sign-in page for ${page.url()}`);
  });

  await step("signing in again opens the app with the new name", async () => {
    const answer = await signIn(EMAIL, PASSWORD);
    check(answer.status() === 200, `POST /auth/login answered ${answer.status()}: ${await answer.text()}`);
    // Back in the shell (on the page signed out from: RequireAuth keeps where the user was).
    await page.getByRole("navigation", { name: "Main" }).waitFor();
    await page.getByRole("banner").getByRole("link", { name: NEW_NAME, exact: true }).waitFor();
  });

  check(pageErrors.length === 0, `uncaught errors in the page: ${pageErrors.join("; ")}`);
  await page.screenshot({ path: screenshot, fullPage: true });
} catch (error) {
  failed = error;
  await page
    ?.screenshot({ path: screenshot.replace(/\.png$/, "") + ".failure.png", fullPage: true })
    .catch(() => {});
} finally {
  await browser?.close().catch(() => {});
}

const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (failed) {
  console.error(`FAILED at step "${currentStep}" after ${seconds} s: ${failed.message ?? failed}`);
  if (page) console.error(`  page: ${page.url()}`);
  if (pageErrors.length) console.error(`  page errors: ${pageErrors.join(" | ")}`);
  if (consoleErrors.length) console.error(`  console errors: ${consoleErrors.slice(-10).join(" | ")}`);
  process.exit(1);
}
console.log(`e2e flow passed in ${seconds} s; screenshot ${screenshot}`);
