#!/usr/bin/env node
/**
 * The app in a real browser against the real local platform (tests/test_browser_e2e.py starts
 * the platform and runs this):
 *
 *   node e2e/flow.mjs <frontendUrl> <apiUrl> [screenshot.png]
 *
 * Registers a new user, sees the app shell, opens Analytics (the service answers 501: the page
 * shows the API's error model), renames the user on the profile (the name survives a reload),
 * signs out, tries a wrong password (the error shows), signs in again. Screenshot at the end
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
/** The next answer to `method ... path`; start waiting before the click that sends it. */
function apiAnswer(method, path) {
  const answer = page.waitForResponse(
    (r) => r.request().method() === method && new URL(r.url()).pathname.endsWith(path),
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

  await step("Analytics shows the service's 501 from the API's error model", async () => {
    const kpis = apiAnswer("GET", "/analytics/kpis");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Analytics" }).click();
    await heading("Analytics").waitFor();
    const answer = await kpis;
    check(answer.status() === 501, `GET /analytics/kpis answered ${answer.status()}, expected 501`);
    const { error } = await answer.json();
    check(error?.code === "NOT_IMPLEMENTED" && error.message, `not the error model: ${JSON.stringify(error)}`);
    const alert = page.getByRole("alert");
    await alert.getByText("Not available yet", { exact: true }).waitFor();
    await alert.getByText(error.message, { exact: true }).waitFor();
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
