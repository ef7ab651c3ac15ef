// Adaptive link throughput: a shared (non-personalized) link opened by iPhones (signed .pkpass each time) and by
// Android phones (302 to the Google save link), 32 connections for 10 s, autocannon in its own process.
import { appleTemplate, googleTemplate } from "../test/fixtures/reference.js";
import { apiCall, autocannonProcess, type Rate, rateOf } from "./api.js";
import type { BenchServer } from "./server.js";

export async function benchAdaptive(server: BenchServer): Promise<Rate[]> {
  const project = await apiCall(server, "POST", "/v1/project", { name: "Bench links", projectType: "memberCard" });
  const ios = await apiCall(server, "POST", `/v1/template/${project.id}`, appleTemplate);
  const android = await apiCall(server, "POST", `/v1/template/${project.id}`, googleTemplate);
  const link = await apiCall(server, "POST", "/v1/links/adaptive", {
    iosTemplateId: ios.templateId,
    androidTemplateId: android.templateId,
  });
  const rates: Rate[] = [];
  for (const device of ["ios", "android"]) {
    const url = `${server.baseUrl}/v1/pass/adaptive/${link.adaptiveLinkId}/${device}`;
    await autocannonProcess(["-c", "32", "-d", "3", url]); // warm-up (the first request makes the pass)
    const result = await autocannonProcess(["-c", "32", "-d", "10", url]);
    const rate = rateOf(`adaptive link → ${device === "ios" ? ".pkpass" : "Google redirect"}`, result);
    rates.push({ ...rate, non2xx: result.non2xx - result["3xx"] });
  }
  return rates;
}
