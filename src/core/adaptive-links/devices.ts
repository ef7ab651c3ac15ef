// Which wallet a visitor's device uses, from its User-Agent (ua-parser-js): iPhone, iPad and Mac Safari get Apple
// Wallet; Android gets Google Wallet; everything else (desktop browsers, bots) gets the landing page.
import { UAParser } from "ua-parser-js";

export type Device = "ios" | "android" | "web";

export function deviceOf(userAgent: string | undefined): Device {
  if (!userAgent) return "web";
  const parsed = new UAParser(userAgent).getResult();
  const os = (parsed.os.name ?? "").toLowerCase();
  const browser = (parsed.browser.name ?? "").toLowerCase();
  const deviceType = parsed.device.type ?? "";
  if (/bot|crawl|spider|preview|slurp|facebookexternalhit/i.test(userAgent)) return "web";
  if (os === "ios" || os === "ipados") return "ios";
  // iPadOS 13+ Safari presents itself as a Mac: Wallet opens .pkpass files on both.
  if (os === "mac os" && browser.includes("safari") && deviceType !== "console") return "ios";
  if (os === "android") return "android";
  return "web";
}
