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

  it("checks the Apple, APNs, Google and encryption settings, listing every problem", () => {
    const defaults = loadConfig({});
    expect(defaults.apns.host).toBe("api.push.apple.com:443");
    expect(defaults.google).toMatchObject({
      apiUrl: "https://walletobjects.googleapis.com",
      callbackKeysUrl: "https://pay.google.com/gp/m/issuer/keys",
    });
    try {
      loadConfig({
        WALLET_ENCRYPTION_KEY: "too-short",
        APPLE_PASS_KEY: "/nonexistent/key.pem",
        APNS_KEY_ID: "ABC",
        APNS_HOST: "not a host",
        GOOGLE_ISSUER_ID: "abc",
        GOOGLE_WALLET_API_URL: "ftp://x",
      });
      expect.unreachable();
    } catch (error) {
      const text = (error as ConfigError).problems.join("\n");
      for (const name of [
        "WALLET_ENCRYPTION_KEY",
        "APPLE_PASS_KEY needs APPLE_PASS_CERT",
        "APNS_HOST",
        "APNS_KEY_FILE, APNS_KEY_ID and APNS_TEAM_ID",
        "GOOGLE_ISSUER_ID needs GOOGLE_SERVICE_ACCOUNT or GOOGLE_SERVICE_ACCOUNT_EMAIL",
        "GOOGLE_ISSUER_ID must be",
        "GOOGLE_WALLET_API_URL",
      ]) {
        expect(text).toContain(name);
      }
    }
    const key = Buffer.alloc(32, 7).toString("base64");
    expect(loadConfig({ WALLET_ENCRYPTION_KEY: key }).walletEncryptionKey).toBe(key);
    // Keyless Google: an e-mail instead of a key file (never both), and a numeric issuer id with it.
    const keyless = loadConfig({
      GOOGLE_ISSUER_ID: "3388000000012345678",
      GOOGLE_SERVICE_ACCOUNT_EMAIL: "wallet@project.iam.gserviceaccount.com",
    });
    expect(keyless.google).toMatchObject({
      serviceAccountEmail: "wallet@project.iam.gserviceaccount.com",
      iamCredentialsUrl: "https://iamcredentials.googleapis.com",
      maxRequestsPerSecond: 20,
    });
    expect(() => loadConfig({ GOOGLE_SERVICE_ACCOUNT_EMAIL: "wallet@project.iam.gserviceaccount.com" })).toThrow(
      /GOOGLE_ISSUER_ID needs/,
    );
    expect(() =>
      loadConfig({
        GOOGLE_ISSUER_ID: "1",
        GOOGLE_SERVICE_ACCOUNT_EMAIL: "not-an-email",
      }),
    ).toThrow(/GOOGLE_SERVICE_ACCOUNT_EMAIL must be/);
    expect(() => loadConfig({ WEB_CONCURRENCY: "0" })).toThrow(/WEB_CONCURRENCY/);
  });

  it("reads the outbound rules, the Google token endpoint and the proxy setting", () => {
    const defaults = loadConfig({});
    expect(defaults.outbound).toEqual({ allowlist: [], allowHttp: false });
    expect(defaults.google.tokenUrl).toBe("https://oauth2.googleapis.com/token");
    expect(defaults.trustProxy).toBe(false);
    const set = loadConfig({
      OUTBOUND_ALLOWLIST: "images.internal, 10.0.0.0/8,[fd00::1], 192.168.1.7",
      OUTBOUND_ALLOW_HTTP: "true",
      GOOGLE_TOKEN_URL: "http://127.0.0.1:9999/token",
      TRUST_PROXY: "1",
    });
    expect(set.outbound).toEqual({
      allowlist: ["images.internal", "10.0.0.0/8", "fd00::1", "192.168.1.7"],
      allowHttp: true,
    });
    expect(set.google.tokenUrl).toBe("http://127.0.0.1:9999/token");
    expect(set.trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: "10.0.0.1,10.0.0.2" }).trustProxy).toBe("10.0.0.1,10.0.0.2");
    try {
      loadConfig({
        OUTBOUND_ALLOWLIST: "good.host,bad host,10.0.0.0/99",
        OUTBOUND_ALLOW_HTTP: "sometimes",
        GOOGLE_TOKEN_URL: "file:///etc/passwd",
        TRUST_PROXY: "everyone!",
      });
      expect.unreachable();
    } catch (error) {
      const text = (error as ConfigError).problems.join("\n");
      expect(text).toContain('OUTBOUND_ALLOWLIST: "bad host" is not a host name');
      expect(text).toContain('OUTBOUND_ALLOWLIST: "10.0.0.0/99" is not a valid CIDR range');
      expect(text).toContain("OUTBOUND_ALLOW_HTTP must be true or false");
      expect(text).toContain("GOOGLE_TOKEN_URL must be an http(s) URL");
      expect(text).toContain("TRUST_PROXY must be");
    }
  });
});
