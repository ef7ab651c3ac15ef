// The landing page in a real browser (Debian's Chromium driven by playwright-core): both buttons and the QR code
// render and point at the right URLs, the logo loads, the Content-Security-Policy blocks nothing the page needs.
// A screenshot is saved under test-output/.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import QRCode from "qrcode";
import { afterAll, beforeAll, expect, it } from "vitest";
import { googleTemplate } from "../../fixtures/reference.js";
import { startTestServer, type TestServer } from "../../helpers/app.js";
import { chromiumPath, launchChromium } from "../../helpers/chromium.js";

const root = new URL("../../../", import.meta.url).pathname;
let server: TestServer;
let browser: Browser;
const executablePath = chromiumPath("landing-page browser test");

beforeAll(async () => {
  if (!executablePath) return;
  server = await startTestServer();
  browser = await launchChromium(executablePath);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

it.skipIf(!executablePath)("renders the program, both wallet buttons and a QR code of the link", async () => {
  const projectId = (
    await server.call("POST", "/v1/project", { body: { name: "Acme Coffee", projectType: "memberCard" } })
  ).json.id;
  const iosTemplateId = (
    await server.call("POST", `/v1/template/${projectId}`, {
      body: {
        name: "Coffee Club",
        vendor: "Apple",
        type: "Store Card",
        headers: {
          logo_text: { value: "Acme Coffee Club" },
          background_color: { value: "rgb(120,40,20)" },
          foreground_color: { value: "rgb(255,255,255)" },
        },
      },
    })
  ).json.templateId;
  const androidTemplateId = (await server.call("POST", `/v1/template/${projectId}`, { body: googleTemplate })).json
    .templateId;
  const link = (await server.call("POST", "/v1/links/adaptive", { body: { iosTemplateId, androidTemplateId } })).json;

  const page = await browser.newPage({ viewport: { width: 1024, height: 900 } });
  const blocked: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused/i.test(message.text())) blocked.push(message.text());
  });
  const response = await page.goto(link.url);
  expect(response?.status()).toBe(200);
  expect(await page.title()).toBe("Acme Coffee Club");
  expect(await page.locator("html").getAttribute("lang")).toBe("en");
  await expect.poll(() => page.locator("h1").textContent()).toBe("Acme Coffee Club");

  const apple = page.getByRole("link", { name: "Add to Apple Wallet" });
  const googleButton = page.getByRole("link", { name: "Add to Google Wallet" });
  expect(await apple.isVisible()).toBe(true);
  expect(await googleButton.isVisible()).toBe(true);
  expect(await apple.getAttribute("href")).toBe(link.iosUrl);
  expect(await googleButton.getAttribute("href")).toBe(link.androidUrl);

  const logo = page.getByAltText("Acme Coffee Club logo");
  expect(await logo.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);

  // The pass the visitor would get, drawn by the server (its Apple template: the link has one).
  const preview = page.getByAltText("Preview of your pass");
  expect(await preview.isVisible()).toBe(true);
  const size = await preview.evaluate((img) => {
    const i = img as unknown as { naturalWidth: number; naturalHeight: number };
    return [i.naturalWidth, i.naturalHeight];
  });
  expect(size).toEqual([320, 440]);
  const drawnPreview = await preview.getAttribute("src");
  const templatePreview = await fetch(`${server.baseUrl}/v1/template/${iosTemplateId}/preview?scale=1`, {
    headers: {
      authorization: `Basic ${Buffer.from(`${server.credentials.key}:${server.credentials.secret}`).toString("base64")}`,
    },
  });
  expect(drawnPreview).toBe(
    `data:image/png;base64,${Buffer.from(await templatePreview.arrayBuffer()).toString("base64")}`,
  );

  const qr = page.locator(".qr svg");
  const box = await qr.boundingBox();
  expect(box?.width).toBeGreaterThan(100);
  // The QR code is exactly the one for the link's URL.
  const expected = await QRCode.toString(link.url, { type: "svg", margin: 1, errorCorrectionLevel: "M" });
  const drawn = await qr.evaluate((svg) => svg.outerHTML);
  const paths = (svg: string) => [...svg.matchAll(/ d="([^"]+)"/g)].map((m) => m[1]);
  expect(paths(drawn)).toEqual(paths(expected));

  // Runs in the page: the browser's getComputedStyle (tsconfig has no DOM types).
  const background = await page
    .locator("body")
    .evaluate(
      (body) =>
        (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(body)
          .backgroundColor,
    );
  expect(background).toBe("rgb(120, 40, 20)");
  expect(blocked).toEqual([]);

  const out = join(root, "test-output");
  mkdirSync(out, { recursive: true });
  await page.screenshot({ path: join(out, "landing-page.png"), fullPage: true });
  await page.close();
});
