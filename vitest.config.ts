import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The container test needs a Docker engine: `npm run test:docker`.
    exclude: [...configDefaults.exclude, "test/docker/**"],
    globalSetup: ["test/helpers/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: files run in parallel, each in its own database.
    maxWorkers: 2,
    reporters: ["default"],
  },
});
