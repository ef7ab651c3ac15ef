// Pass previews: uncached PNGs drawn and rasterized per second on one core (each pass different, so the cache
// never answers), and cached previews served over HTTP (autocannon in its own process, 32 connections, 10 s).
import { appleFront } from "../src/previews/apple-card.js";
import { rasterize } from "../src/previews/raster.js";
import { applePasses } from "../test/fixtures/previews.js";
import { apiCall, autocannonProcess, type Rate, rateOf } from "./api.js";
import type { BenchServer } from "./server.js";

/** Uncached PNG previews per second at `scale`, every style in turn, each with its own value (one core). */
export function benchUncachedPreviews(scale: number, seconds = 5): { perSecond: number; count: number } {
  const styles = Object.values(applePasses);
  const started = performance.now();
  let count = 0;
  while (performance.now() - started < seconds * 1000) {
    const pass = structuredClone(styles[count % styles.length]!) as Record<string, unknown>;
    pass.logoText = `Preview ${count}`;
    rasterize(appleFront(pass, {}), scale);
    count++;
  }
  return { perSecond: Math.round(count / ((performance.now() - started) / 1000)), count };
}

/** GET /v1/pass/{id}/preview answered from the preview cache, over HTTP. */
export async function benchCachedPreview(server: BenchServer): Promise<Rate> {
  const project = await apiCall(server, "POST", "/v1/project", { name: "Bench previews", projectType: "memberCard" });
  const { templateId } = await apiCall(server, "POST", `/v1/template/${project.id}`, {
    name: "Bench previews",
    headers: { logo_text: { value: "Acme" }, barcode_value: { value: "1234" }, barcode_type: { value: "qr" } },
    fields: { points: { fieldType: "primary", label: "Points", value: "120" } },
  });
  const pass = await apiCall(server, "POST", `/v1/pass/${templateId}`, {});
  const url = `${server.baseUrl}/v1/pass/${pass.id}/preview`;
  await fetch(url, { headers: { authorization: server.auth } }); // drawn once; then every answer is cached
  const args = ["-c", "32", "-d", "10", "-H", `authorization=${server.auth}`, url];
  return rateOf("GET /v1/pass/{id}/preview", await autocannonProcess(args));
}
