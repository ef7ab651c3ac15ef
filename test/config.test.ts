import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";

describe("loadConfig", () => {
  it("has working defaults: embedded database, port 3000", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      databaseUrl: undefined,
      embeddedPostgresPort: 54329,
      publicBaseUrl: "http://localhost:3000",
      dbPoolMax: 10,
    });
    expect(config.dataDir).toMatch(/\/data$/);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("reports every problem at once", () => {
    try {
      loadConfig({
        PORT: "http",
        DATABASE_URL: "mysql://x",
        LOG_LEVEL: "loud",
        BOOTSTRAP_API_KEY: "admin",
        PUBLIC_BASE_URL: "ftp://example.com",
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const { problems } = error as ConfigError;
      expect(problems).toHaveLength(5);
      expect(problems.join("\n")).toMatch(
        /PORT[\s\S]*DATABASE_URL[\s\S]*PUBLIC_BASE_URL[\s\S]*LOG_LEVEL[\s\S]*BOOTSTRAP/,
      );
    }
  });

  it("requires a long bootstrap secret", () => {
    expect(() => loadConfig({ BOOTSTRAP_API_KEY: "admin", BOOTSTRAP_API_SECRET: "short" })).toThrow(/at least 32/);
    const ok = loadConfig({ BOOTSTRAP_API_KEY: "admin", BOOTSTRAP_API_SECRET: "s".repeat(32) });
    expect(ok.bootstrapApiKey).toEqual({ key: "admin", secret: "s".repeat(32) });
  });
});
