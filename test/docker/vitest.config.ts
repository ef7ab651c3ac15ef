// `npm run test:docker`: the image built from the working tree and run with docker compose (needs a Docker engine;
// see test/docker/engine.ts). Separate from `npm test`, which needs none.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/docker/**/*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 1_200_000,
    fileParallelism: false,
    reporters: ["default"],
  },
});
