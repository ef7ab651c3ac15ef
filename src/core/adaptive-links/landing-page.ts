// The landing page of an adaptive link, for browsers that are neither an iPhone nor an Android phone (or when the
// link has no pass for the visitor's platform): the program's name, colours and logo, "Add to Apple Wallet" and
// "Add to Google Wallet" buttons, and a QR code of the link for desktop visitors. One self-contained document —
// no external assets — served with a strict Content-Security-Policy.
import { createHash } from "node:crypto";
import QRCode from "qrcode";

export interface LandingPage {
  title: string;
  background: string;
  foreground: string;
  logoPng: Buffer;
  /** A preview of the pass the visitor would get (PNG), when one can be drawn. */
  previewPng?: Buffer;
  url: string;
  iosUrl?: string;
  androidUrl?: string;
  /** Shown instead of the buttons (an expired or used-up link). */
  notice?: string;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function style(page: LandingPage): string {
  return `body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:${page.background};color:${page.foreground};display:flex;min-height:100vh;align-items:center;justify-content:center}
main{max-width:28rem;padding:2rem;text-align:center}
img{max-width:160px;height:auto}
img.preview{display:block;max-width:320px;width:100%;margin:1.5rem auto;border-radius:12px;box-shadow:0 8px 24px rgba(0,0,0,.35)}
h1{font-size:1.5rem;margin:1rem 0}
.buttons{display:flex;flex-direction:column;gap:.75rem;margin:1.5rem 0}
.buttons a{display:block;padding:.9rem 1.2rem;border-radius:.6rem;background:#000;color:#fff;text-decoration:none;font-weight:600}
.buttons a:focus{outline:3px solid ${page.foreground};outline-offset:2px}
.qr{background:#fff;display:inline-block;padding:.75rem;border-radius:.5rem}
.qr svg{width:180px;height:180px;display:block}
p.notice{font-weight:600}`;
}

export async function renderLandingPage(page: LandingPage): Promise<{ html: string; csp: string }> {
  const qr = await QRCode.toString(page.url, { type: "svg", margin: 1, errorCorrectionLevel: "M" });
  const css = style(page);
  const buttons = [
    page.iosUrl ? `<a id="add-apple" href="${escapeHtml(page.iosUrl)}">Add to Apple Wallet</a>` : "",
    page.androidUrl ? `<a id="add-google" href="${escapeHtml(page.androidUrl)}">Add to Google Wallet</a>` : "",
  ].join("");
  const body = page.notice
    ? `<p class="notice" role="alert">${escapeHtml(page.notice)}</p>`
    : `<nav class="buttons" aria-label="Add this pass to your wallet">${buttons}</nav>
<p>On a computer? Scan this code with your phone:</p>
<div class="qr" role="img" aria-label="QR code of this link">${qr}</div>`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(page.title)}</title><style>${css}</style></head>
<body><main>
<img src="data:image/png;base64,${page.logoPng.toString("base64")}" alt="${escapeHtml(page.title)} logo">
<h1>${escapeHtml(page.title)}</h1>
${page.previewPng && !page.notice ? `<img class="preview" src="data:image/png;base64,${page.previewPng.toString("base64")}" alt="Preview of your pass" width="320" height="440">` : ""}
${body}
</main></body></html>`;
  const styleHash = createHash("sha256").update(css).digest("base64");
  const csp = `default-src 'none'; img-src data:; style-src 'sha256-${styleHash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
  return { html, csp };
}
