// Reading an uploaded certificate is work a hostile file can make endless: a .p12 or encrypted key may ask for
// billions of key-derivation iterations. Uploads are therefore (1) refused when their iteration counts exceed
// MAX_ITERATIONS, read straight from the DER, and (2) decoded in a worker thread that is stopped after a time
// limit, so the event loop keeps answering every other request meanwhile.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { InvalidInput } from "../domain/invalid-input.js";
import { AppError } from "../errors.js";
import {
  type DecodedIdentity,
  decodeIdentity,
  type IdentityInput,
  identityFrom,
  type PassIdentity,
} from "./certificates.js";
import { encryptedKeyDer, largestIterationCount, MAX_ITERATIONS } from "./iteration-counts.js";

/** How long decoding one upload may take. */
export const DECODE_TIME_LIMIT_MS = 2500;
/** Uploads decoded at once; more wait for a slot (within the time limit). */
const MAX_CONCURRENT = 2;

const forgePath = createRequire(import.meta.url).resolve("node-forge");
// The decoder's own source runs in the worker (an eval worker: no file to find under tsx, Vitest or dist/).
// `__name` is the helper some TypeScript transpilers insert to keep function names.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
var __name = (target) => target;
const decode = ${decodeIdentity.toString()};
parentPort.postMessage(decode(require(workerData.forgePath), require("node:crypto"), workerData.input));
`;

/** Refuses an upload whose password-based encryption asks for more than MAX_ITERATIONS. */
export function checkIterationCounts(input: IdentityInput): void {
  const counts: number[] = [];
  for (const bytes of [input.certificate, input.privateKey]) {
    if (!bytes) continue;
    if (bytes.includes("-----BEGIN")) {
      for (const der of encryptedKeyDer(bytes.toString("utf8"))) counts.push(largestIterationCount(der));
    } else counts.push(largestIterationCount(bytes));
  }
  const largest = Math.max(0, ...counts);
  if (largest > MAX_ITERATIONS) {
    throw new InvalidInput(
      [
        `the key's password-based encryption asks for ${Number.isFinite(largest) ? largest.toLocaleString("en-US") : "an enormous number of"} iterations; at most ${MAX_ITERATIONS.toLocaleString("en-US")} are accepted (export it again with the default settings)`,
      ],
      "ITERATION_COUNT_TOO_HIGH",
    );
  }
}

let running = 0;
const waiting: (() => void)[] = [];

async function slot(deadline: number): Promise<() => void> {
  const release = () => {
    running--;
    waiting.shift()?.();
  };
  if (running < MAX_CONCURRENT) {
    running++;
    return release;
  }
  return new Promise((resolve, reject) => {
    const take = () => {
      clearTimeout(timer);
      running++;
      resolve(release);
    };
    const timer = setTimeout(() => {
      const at = waiting.indexOf(take);
      if (at >= 0) waiting.splice(at, 1);
      reject(new AppError("BUSY", "Other certificates are being read; try again shortly"));
    }, deadline - performance.now());
    waiting.push(take);
  });
}

function decodeInWorker(input: IdentityInput, deadline: number): Promise<DecodedIdentity> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        forgePath,
        input: { certificate: input.certificate, privateKey: input.privateKey, password: input.password },
      },
      resourceLimits: { maxOldGenerationSizeMb: 256 },
    });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(
        new InvalidInput(
          [`reading the certificate took longer than ${DECODE_TIME_LIMIT_MS} ms (is its encryption unusually heavy?)`],
          "CERTIFICATE_TOO_COSTLY",
        ),
      );
    }, deadline - performance.now());
    worker.once("message", (decoded: DecodedIdentity) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(decoded);
    });
    worker.once("error", () => {
      clearTimeout(timer);
      reject(new InvalidInput(["the certificate could not be read"]));
    });
  });
}

/** Reads an uploaded identity without letting it stall the server; throws InvalidInput naming the problem. */
export async function readUploadedIdentity(input: IdentityInput): Promise<PassIdentity> {
  checkIterationCounts(input);
  // Deadlines on the monotonic clock: a timeout measures elapsed time, which a wall-clock step must not change.
  const deadline = performance.now() + DECODE_TIME_LIMIT_MS;
  const release = await slot(deadline);
  try {
    return identityFrom(await decodeInWorker(input, deadline));
  } finally {
    release();
  }
}
