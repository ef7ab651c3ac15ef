/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The web console in a real browser (Debian's Chromium driven by playwright-core) against a real server: sign in
// with the keyboard, make a template in the editor and watch its preview follow a colour change and show a
// validation error at its control, make a pass, edit a field, tag it, send a notification, find it again, look at
// the project's operations, sign out; a read-only key's console offers no changes. Every page is checked by
// axe-core (WCAG 2 A and AA) and screenshotted to test-output/console/; the Content-Security-Policy must block
// nothing the console does.
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { googleTemplate } from "../fixtures/reference.js";
import { startTestServer, type TestServer } from "../helpers/app.js";
import { chromiumPath, launchChromium } from "../helpers/chromium.js";

const root = new URL("../../", import.meta.url).pathname;
const shots = join(root, "test-output", "console");
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const executablePath = chromiumPath("console browser test");

let server: TestServer;
let browser: Browser;
let projectId: number;

beforeAll(async () => {
  if (!executablePath) return;
  mkdirSync(shots, { recursive: true });
  server = await startTestServer();
  projectId = (
    await server.call("POST", "/v1/project", {
      body: { name: "Coffee Club", projectType: "loyalty", description: "Ten stamps, one free coffee" },
    })
  ).json.id;
  browser = await launchChromium(executablePath);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A page that records script errors and Content-Security-Policy refusals. */
async function openConsole(): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  await watchPreviews(page);
  page.on("console", (message) => {
    if (message.type() === "error" && !/status of 40[0134]/.test(message.text())) problems.push(message.text());
  });
  await page.goto(`${server.baseUrl}/console`);
  return { context, page, problems };
}

/** axe-core's WCAG 2 A/AA violations on the page as it is now. */
async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    (
      globalThis as unknown as {
        axe: { run(context: unknown, options: unknown): Promise<{ violations: { id: string; nodes: unknown[] }[] }> };
      }
    ).axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  return result.violations.map((v) => `${v.id} (${v.nodes.length})`);
}

async function checkPage(page: Page, name: string) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  expect(await accessibilityProblems(page), `axe on ${name}`).toEqual([]);
}

const heading = (page: Page, name: string | RegExp) => page.getByRole("heading", { level: 1, name });

/** The SVG of the last preview the page was answered (the page shows it as an object URL). */
const previews = new WeakMap<Page, string>();
const previewSvg = async (page: Page) => previews.get(page) ?? "";
/** Passes every preview request through, keeping the SVG of the newest answer. */
async function watchPreviews(page: Page) {
  let sent = 0;
  await page.route(/\/preview\?/, async (route) => {
    const mine = ++sent;
    const response = await route.fetch();
    const body = await response.text();
    if (response.status() === 200 && mine === sent) previews.set(page, body);
    await route.fulfill({ response, body });
  });
}

async function signInWithKeyboard(page: Page, key: string, secret: string) {
  await heading(page, "Sign in").waitFor();
  // The key field has focus; Tab moves through secret, scopes and the button.
  await page.keyboard.type(key);
  await page.keyboard.press("Tab");
  await page.keyboard.type(secret);
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Sign in");
  await page.keyboard.press("Enter");
}

it.skipIf(!executablePath)(
  "signs in, edits a template with a live preview, makes and changes a pass, and signs out",
  async () => {
    const { context, page, problems } = await openConsole();
    await checkPage(page, "sign-in");
    await signInWithKeyboard(page, server.credentials.key, server.credentials.secret);
    await heading(page, "Projects").waitFor();
    await checkPage(page, "projects");

    await page.getByRole("link", { name: "Coffee Club" }).click();
    await heading(page, "Coffee Club").waitFor();
    await checkPage(page, "project");

    // The editor: the preview follows the form.
    await page.getByRole("link", { name: "New template" }).click();
    await heading(page, "New template").waitFor();
    await page.getByLabel("Name", { exact: true }).fill("Coffee card");
    await page.getByLabel("Logo text").fill("Coffee Club");
    await page.getByRole("button", { name: "Add field" }).click();
    await page.getByLabel("Field name").fill("Stamps");
    await page.getByLabel("Where").selectOption("primary");
    await page.getByLabel("Label", { exact: true }).fill("Stamps");
    await page.getByLabel("Value", { exact: true }).fill("0");
    await page.getByLabel("Background colour", { exact: true }).fill("rgb(10,20,30)");
    await expect.poll(() => previewSvg(page), { timeout: 10_000 }).toContain('fill="#0a141e"');
    expect(await previewSvg(page)).toContain(">STAMPS<");
    await page.getByLabel("Background colour", { exact: true }).fill("rgb(200,30,40)");
    await expect.poll(() => previewSvg(page), { timeout: 10_000 }).toContain('fill="#c81e28"');

    // A bad colour: the API's message appears at the colour's control, and the preview says why it is missing.
    await page.getByLabel("Background colour", { exact: true }).fill("#zz");
    const invalid = page.getByLabel("Background colour", { exact: true });
    await expect.poll(() => invalid.getAttribute("aria-invalid"), { timeout: 10_000 }).toBe("true");
    const errorId = (await invalid.getAttribute("aria-describedby"))!.split(" ").find((id) => id.endsWith("-error"))!;
    expect(await page.locator(`#${errorId}`).textContent()).toContain('header "background_color" must be');
    await checkPage(page, "editor-error");
    await page.getByLabel("Background colour", { exact: true }).fill("rgb(200,30,40)");
    await expect.poll(() => invalid.getAttribute("aria-invalid"), { timeout: 10_000 }).toBeNull();
    await page.getByRole("radio", { name: "Back" }).check();
    await expect.poll(() => previewSvg(page), { timeout: 10_000 }).not.toContain(">STAMPS<");
    await page.getByRole("radio", { name: "Front" }).check();
    await page.getByRole("radio", { name: "Google Wallet" }).check();
    // Google's card is titled by the template's name (its program name), where Apple's front shows no name.
    await expect.poll(() => previewSvg(page), { timeout: 10_000 }).toContain(">Coffee card<");
    await page.getByRole("radio", { name: "Apple Wallet" }).check();
    await checkPage(page, "editor");

    await page.getByRole("button", { name: "Create template" }).click();
    await heading(page, "Coffee card").waitFor();
    const templates = (await server.call("GET", `/v1/template/headers?projectId=${projectId}`)).json.templateHeaders;
    expect(templates).toHaveLength(1);
    const templateId = templates[0].id;
    const template = (await server.call("GET", `/v1/template/${templateId}`)).json;
    expect(template.fieldsModel.headers.background_color.value).toBe("rgb(200,30,40)");
    expect(template.fieldsModel.fields.Stamps).toMatchObject({ fieldType: "primary", label: "Stamps", value: "0" });
    await checkPage(page, "template");

    // A pass, from the template's page.
    await page.getByLabel("External id (optional)").fill("alice");
    await page.getByLabel("Stamps (Stamps)").fill("3");
    await page.getByRole("button", { name: "Create pass" }).click();
    await heading(page, "Pass alice").waitFor();
    const passId = (await server.call("GET", `/v1/pass/template/${templateId}/id/alice`)).json.id;
    await expect.poll(() => page.locator(".preview-panel").getAttribute("data-state")).toBe("ready");
    expect(await previewSvg(page)).toContain(">3<");

    await page.getByLabel("Stamps (Stamps)").fill("4");
    await page.getByRole("button", { name: "Save fields" }).click();
    await page.getByText("Pass saved").waitFor();
    expect((await server.call("GET", `/v1/pass/${passId}`)).json.fields.Stamps.value).toBe("4");
    await expect.poll(() => previewSvg(page), { timeout: 10_000 }).toContain(">4<");

    await page.getByLabel("New tag").fill("gold");
    await page.getByRole("button", { name: "Add tag" }).click();
    await page.getByRole("button", { name: "Remove tag gold" }).waitFor();

    await page.getByLabel("Message").fill("Your coffee is on us today");
    await page.getByRole("button", { name: "Send notification" }).click();
    await page.getByText("Notification sent.").waitFor();
    const history = (await server.call("GET", `/v1/pass/${passId}/history`)).json.events.map(
      (e: { kind: string }) => e.kind,
    );
    // Newest first: the notification, the tag, the field, the creation.
    expect(history).toEqual(["notified", "updated", "updated", "created"]);
    await expect.poll(() => page.locator("table:has(caption:text('History')) tbody tr").count()).toBe(4);
    await page.getByRole("button", { name: "Make an adaptive link like this pass" }).click();
    const qr = page.getByRole("img", { name: "QR code of the adaptive link" });
    await qr.waitFor();
    expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    expect(await page.getByRole("link", { name: "Download .pkpass" }).getAttribute("href")).toBe(
      `/v1/pass/${passId}/download`,
    );
    await checkPage(page, "pass");

    // Finding it again from the template: by external id, by tag, by status.
    await page.getByRole("link", { name: "Coffee card" }).click();
    await heading(page, "Coffee card").waitFor();
    await page.getByLabel("External id", { exact: true }).fill("alice");
    await page.getByRole("button", { name: "Search" }).click();
    await expect.poll(() => page.locator("#pass-results a").allTextContents()).toEqual(["alice"]);
    await page.getByLabel("External id", { exact: true }).fill("");
    await page.getByLabel("Tag").fill("silver");
    await page.getByRole("button", { name: "Search" }).click();
    await page.locator("#pass-results").getByText("No passes match.").waitFor();
    await page.getByLabel("Tag").fill("gold");
    await page.getByRole("button", { name: "Search" }).click();
    await expect.poll(() => page.locator("#pass-results a").allTextContents()).toEqual(["alice"]);
    await page.getByLabel("Tag").fill("");
    await page.getByLabel("Status").selectOption("installed");
    await page.getByRole("button", { name: "Search" }).click();
    await page.locator("#pass-results").getByText("No passes match.").waitFor();

    await page.goto(`${server.baseUrl}/console#/projects/${projectId}/operations`);
    await heading(page, "Operations of Coffee Club").waitFor();
    await page.getByRole("img", { name: /Daily activity from/ }).waitFor();
    await page.getByText("No dead letters.").waitFor();
    await checkPage(page, "operations");

    // Keyboard only: the skip link comes first and lands on the page's content.
    // Keyboard only: after a load the skip link is the first Tab stop and lands on the content; Tab then reaches
    // every control of the page, in order, and comes back round.
    await page.reload();
    await heading(page, "Operations of Coffee Club").waitFor();
    // Every visible control, numbered in document order.
    const count = await page.evaluate(() => {
      const all = [
        ...document.querySelectorAll<HTMLElement>("a[href], button:not([disabled]), input, select, summary"),
      ];
      const visible = all.filter((el) => el.offsetParent !== null || el.classList.contains("skip"));
      visible.forEach((el, i) => {
        el.dataset.k = String(i);
      });
      return visible.length;
    });
    // A date input takes several Tabs (day, month, year): the order of first visits is what counts.
    const order: string[] = [];
    for (let i = 0; i < count * 3 && order.length < count; i++) {
      await page.keyboard.press("Tab");
      const focused = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.k ?? "none");
      if (!order.includes(focused)) order.push(focused);
    }
    expect(order).toEqual([...Array(count).keys()].map(String));
    expect(count).toBeGreaterThan(8);
    await page.reload();
    await heading(page, "Operations of Coffee Club").waitFor();
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("main");
    expect(page.url()).toMatch(/#\/projects\/\d+\/operations$/);

    // A later page moves focus to its heading.
    await page.getByRole("link", { name: "Coffee Club" }).click();
    await heading(page, "Coffee Club").waitFor();
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("H1");

    await page.getByRole("button", { name: "Sign out" }).click();
    await heading(page, "Sign in").waitFor();
    const after = await context.request.get(`${server.baseUrl}/console/session`);
    expect(after.status()).toBe(401);
    expect(problems).toEqual([]);
    await context.close();
  },
  120_000,
);

it.skipIf(!executablePath)("offers a read-only key no changes", async () => {
  const reader = await server.app.apiKeys.create("reader", server.credentials.accountId, { readOnly: true });
  const templateId = (
    await server.call("POST", `/v1/template/${projectId}`, {
      body: {
        name: "Gift card",
        vendor: "Apple",
        type: "Store Card",
        fields: { Balance: { fieldType: "primary", label: "Balance", value: "10" } },
      },
    })
  ).json.templateId;
  const passId = (await server.call("POST", `/v1/pass/${templateId}/id/bob`, { body: {} })).json.id;
  const { context, page, problems } = await openConsole();
  await signInWithKeyboard(page, reader.key, reader.secret);
  await heading(page, "Projects").waitFor();
  await page.getByText("read-only").waitFor();
  await page.goto(`${server.baseUrl}/console#/projects/${projectId}`);
  await heading(page, "Coffee Club").waitFor();
  expect(await page.getByRole("link", { name: "New template" }).count()).toBe(0);
  await page.goto(`${server.baseUrl}/console#/templates/${templateId}`);
  await heading(page, "Gift card").waitFor();
  expect(await page.getByRole("button", { name: "Create pass" }).count()).toBe(0);
  await page.goto(`${server.baseUrl}/console#/passes/${passId}`);
  await heading(page, "Pass bob").waitFor();
  expect(await page.getByRole("button", { name: "Save fields" }).count()).toBe(0);
  expect(await page.getByRole("button", { name: "Send notification" }).count()).toBe(0);
  expect(await page.getByLabel("Balance (Balance)").getAttribute("readonly")).not.toBeNull();
  await checkPage(page, "pass-read-only");
  // Even a change the page does not offer is refused by the API.
  const refused = await page.evaluate(async (id) => {
    const session = (await (await fetch("/console/session")).json()) as { csrfToken: string };
    const response = await fetch(`/v1/pass/${id}`, {
      method: "PUT",
      headers: { "content-type": "application/json", "x-csrf-token": session.csrfToken },
      body: JSON.stringify({ fields: { Balance: { value: "1000" } } }),
    });
    return { status: response.status, code: ((await response.json()) as { code: string }).code };
  }, passId);
  expect(refused).toEqual({ status: 403, code: "READ_ONLY_KEY" });
  expect(problems.filter((p) => !p.includes("403"))).toEqual([]);
  await context.close();
});

it.skipIf(!executablePath)(
  "saves a Google template edited in the console with everything it did not show",
  async () => {
    const templateId = (
      await server.call("POST", `/v1/template/${projectId}`, {
        body: { ...googleTemplate, name: "Google card", vendor: "Google", type: "Loyalty1" },
      })
    ).json.templateId;
    const before = (await server.call("GET", `/v1/template/${templateId}`)).json.fieldsModel;
    expect(before.textModulesData).toBeDefined();
    const { context, page, problems } = await openConsole();
    await signInWithKeyboard(page, server.credentials.key, server.credentials.secret);
    await heading(page, "Projects").waitFor();
    await page.goto(`${server.baseUrl}/console#/templates/${templateId}/edit`);
    await heading(page, "Edit Google card").waitFor();
    await page.getByLabel("Background colour", { exact: true }).fill("rgb(0,120,60)");
    // A Google template shows its text modules, not Apple's fields; an edit of one reaches the preview.
    expect(await page.getByRole("group", { name: "Fields", exact: true }).isVisible()).toBe(false);
    await page.getByLabel("Body").fill("Double points");
    await expect.poll(() => previewSvg(page), { timeout: 10_000 }).toContain("Double points");
    await page.getByRole("button", { name: "Add text module" }).click();
    await page.getByLabel("Module name").last().fill("Hours");
    await page.getByLabel("Header").last().fill("Opening hours");
    await page.getByLabel("Body").last().fill("7 to 7");
    await expect.poll(() => previewSvg(page), { timeout: 10_000 }).toContain("7 to 7");
    await checkPage(page, "editor-google");
    await page.getByRole("button", { name: "Save template" }).click();
    await page.getByText("Template saved.").waitFor();
    const after = (await server.call("GET", `/v1/template/${templateId}`)).json.fieldsModel;
    expect(after.headers.background_color.value).toBe("rgb(0,120,60)");
    expect((await server.call("GET", `/v1/template/${templateId}`)).json.templateHeader.type).toBe("Loyalty1");
    expect(after.textModulesData["Program Details"]).toMatchObject({
      header: "Program Details",
      body: "Double points",
    });
    expect(after.textModulesData.Hours).toMatchObject({ header: "Opening hours", body: "7 to 7" });
    for (const module of ["linksModuleData", "infoModuleData", "pointsModule"]) {
      expect(after[module], module).toEqual(before[module]);
    }
    expect(problems).toEqual([]);
    await context.close();
  },
);
