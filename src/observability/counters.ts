// Counters of what a process does for the outside world — APNs pushes and Google Wallet API calls — kept per
// process (Prometheus sums them across processes); the metrics listener of each process serves them.
import { Counter, Registry } from "prom-client";

export const processCounters = new Registry();

export const apnsPushes = new Counter({
  name: "wallet_apns_pushes_total",
  help: "APNs pushes by outcome: sent, unregistered (device gone), failed (after retries)",
  labelNames: ["outcome"] as const,
  registers: [processCounters],
});

export const googleRequests = new Counter({
  name: "wallet_google_requests_total",
  help: "Google Wallet API and OAuth requests by HTTP status (0: no answer); 429 is Google's quota",
  labelNames: ["status"] as const,
  registers: [processCounters],
});
