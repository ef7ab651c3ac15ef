// The outbound guard against the addresses an attacker would try. Every "refused" case points at a live loopback
// listener that must see zero requests; allowed cases prove the listener answers when the rules permit it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embeddedIpv4, isNonPublicAddress } from "../../src/outbound/addresses.js";
import { OutboundError, OutboundGuard } from "../../src/outbound/guard.js";
import { type Listener, startListener } from "../fakes/listener.js";

let target: Listener;
let origin: Listener;

beforeAll(async () => {
  target = await startListener();
  origin = await startListener();
});
afterAll(async () => {
  await target.close();
  await origin.close();
});

const limits = { timeoutMs: 2000, maxBytes: 1024 };

async function refusal(guard: OutboundGuard, url: string): Promise<OutboundError> {
  try {
    await guard.fetch(url, limits);
  } catch (error) {
    expect(error).toBeInstanceOf(OutboundError);
    return error as OutboundError;
  }
  throw new Error(`${url} was fetched`);
}

describe("address rules", () => {
  it("refuses loopback, private, CGNAT, link-local, unique-local, multicast, reserved and their IPv6 forms", () => {
    for (const address of [
      "127.0.0.1",
      "127.255.255.254",
      "0.0.0.0",
      "10.1.2.3",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.1.1",
      "100.64.0.1",
      "100.127.255.255",
      "169.254.169.254",
      "224.0.0.1",
      "239.255.255.250",
      "255.255.255.255",
      "240.0.0.1",
      "198.18.0.1",
      "::1",
      "::",
      "fe80::1",
      "fc00::1",
      "fd12:3456::1",
      "ff02::1",
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "::ffff:10.0.0.1",
      "::ffff:169.254.169.254",
      "64:ff9b::a9fe:a9fe",
      "2002:7f00:1::",
      "fe80::1%eth0",
      "64:ff9b:1::7f00:1", // local-use NAT64
      "64:ff9b:1:ffff::808:808",
      "::ffff:0:7f00:1", // SIIT IPv4-translated 127.0.0.1
      "::ffff:0:808:808",
      "2001:0:4136:e378:8000:63bf:3fff:fdd2", // Teredo
      "2001::1",
    ]) {
      expect(isNonPublicAddress(address), address).toBe(true);
    }
    for (const address of [
      "93.184.216.34",
      "8.8.8.8",
      "172.32.0.1",
      "100.128.0.1",
      "2606:4700::1111",
      "::ffff:8.8.8.8",
    ]) {
      expect(isNonPublicAddress(address), address).toBe(false);
    }
    expect(embeddedIpv4("::ffff:7f00:1")).toBe("127.0.0.1");
  });
});

describe("requests", () => {
  it("never reaches a loopback listener, however its address is spelled", async () => {
    const guard = new OutboundGuard({ allowHttp: true });
    const p = target.port;
    const spellings = [
      `http://127.0.0.1:${p}/`,
      `http://127.1:${p}/`,
      `http://2130706433:${p}/`,
      `http://0x7f.0.0.1:${p}/`,
      `http://0177.0.0.1:${p}/`,
      `http://[::ffff:127.0.0.1]:${p}/`,
      `http://[::1]:${p}/`,
      `http://0.0.0.0:${p}/`,
      `http://localhost:${p}/`,
      `http://LOCALHOST.:${p}/`,
      `https://127.0.0.1:${p}/`,
    ];
    const messages = new Set<string>();
    for (const url of spellings) messages.add((await refusal(guard, url)).message);
    expect(target.requests).toEqual([]);
    // One generic text: nothing tells the caller what is listening where.
    expect([...messages]).toEqual(["could not be fetched"]);
  });

  it("refuses a name that resolves to a private address, even among public ones, and connects to the checked address", async () => {
    const resolving = (addresses: string[]) =>
      new OutboundGuard({
        allowHttp: true,
        resolve: async () => addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })),
      });
    await refusal(resolving(["127.0.0.1"]), `http://images.example.com:${target.port}/a.png`);
    await refusal(resolving(["93.184.216.34", "127.0.0.1"]), `http://images.example.com:${target.port}/a.png`);
    await refusal(resolving(["::ffff:127.0.0.1"]), `http://images.example.com:${target.port}/a.png`);
    expect(target.requests).toEqual([]);

    // Allowed by name: the request goes to the address resolved once, with the name as Host.
    const allowed = new OutboundGuard({
      allowlist: ["images.internal"],
      resolve: async () => [{ address: "127.0.0.1", family: 4 }],
    });
    const response = await allowed.fetch(`http://images.internal:${target.port}/logo.png`, limits);
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe("hello");
    expect(target.requests).toEqual([{ method: "GET", url: "/logo.png", host: `images.internal:${target.port}` }]);
    target.requests.length = 0;
  });

  it("is https-only by default; OUTBOUND_ALLOWLIST entries (hosts, IPs, CIDRs) may be reached over http", async () => {
    const strict = new OutboundGuard({ resolve: async () => [{ address: "93.184.216.34", family: 4 }] });
    expect((await refusal(strict, "http://images.example.com/a.png")).message).toBe("must be an https URL");
    expect((await refusal(strict, "ftp://images.example.com/a.png")).message).toBe("must be an https URL");
    expect((await refusal(strict, "https://user:pw@images.example.com/a.png")).reason).toBe("scheme");
    for (const entry of ["127.0.0.1", "127.0.0.0/8", "::ffff:127.0.0.1"]) {
      const guard = new OutboundGuard({ allowlist: [entry] });
      expect((await guard.fetch(`${target.url}/ok`, limits)).status, entry).toBe(200);
    }
    expect(target.requests).toHaveLength(3);
    target.requests.length = 0;
  });

  it("checks every redirect hop and follows at most three", async () => {
    const guard = new OutboundGuard({
      allowHttp: true,
      allowlist: ["origin.test"],
      resolve: async (name) => {
        if (name === "origin.test") return [{ address: "127.0.0.1", family: 4 }];
        throw new Error("NXDOMAIN");
      },
    });
    // A permitted origin redirecting to a forbidden address: the second hop is refused before it connects.
    origin.handle = (_req, res) => {
      res.writeHead(302, { location: `${target.url}/internal` });
      res.end();
    };
    expect((await refusal(guard, `http://origin.test:${origin.port}/start`)).reason).toBe("address");
    expect(target.requests).toEqual([]);

    let hops = 0;
    origin.handle = (_req, res) => {
      hops++;
      res.writeHead(302, { location: `/hop${hops}` });
      res.end();
    };
    expect((await refusal(guard, `http://origin.test:${origin.port}/start`)).reason).toBe("redirects");
    expect(hops).toBe(4); // the first request and three redirects

    hops = 0;
    origin.handle = (req, res) => {
      if (req.url === "/final") return res.end("arrived");
      hops++;
      res.writeHead(302, { location: hops < 3 ? `/hop${hops}` : "/final" });
      res.end();
    };
    const arrived = await guard.fetch(`http://origin.test:${origin.port}/start`, limits);
    expect(arrived.body.toString()).toBe("arrived");
    expect(arrived.url).toBe(`http://origin.test:${origin.port}/final`);
  });

  it("bounds the size and the time of an answer", async () => {
    const guard = new OutboundGuard({ allowlist: ["127.0.0.1"] });
    origin.handle = (_req, res) => res.end(Buffer.alloc(5000));
    expect((await refusal(guard, `${origin.url}/big`)).reason).toBe("too-large");
    origin.handle = (_req, res) => {
      res.writeHead(200);
      res.write("slow");
      // never ends
    };
    const started = Date.now();
    const slow = await guard.fetch(`${origin.url}/slow`, { timeoutMs: 300, maxBytes: 1024 }).catch((e) => e);
    expect(slow).toBeInstanceOf(OutboundError);
    expect((slow as OutboundError).reason).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(2000);
    origin.handle = (_req, res) => res.end("hello");
  });

  it("reuses kept-alive connections only to the address that was checked, and re-checks every request", async () => {
    let resolvesTo = "127.0.0.1";
    // The address is allowlisted, not the name: a name that moves elsewhere must be refused.
    const guard = new OutboundGuard({
      allowlist: ["127.0.0.1"],
      allowHttp: true,
      resolve: async () => [{ address: resolvesTo, family: 4 }],
    });
    const sockets = new Set<number | undefined>();
    origin.handle = (req, res) => {
      sockets.add(req.socket.remotePort);
      res.end("ok");
    };
    const url = `http://crm.test:${origin.port}/hook`;
    for (let i = 0; i < 3; i++) {
      expect((await guard.fetch(url, { ...limits, method: "POST", keepAlive: true })).status).toBe(200);
    }
    expect(sockets.size).toBe(1);
    // Rebinding: the name now resolves to a private address. A pooled socket to the old address exists, but the
    // request is checked first and refused; the listener sees nothing.
    resolvesTo = "10.0.0.5";
    const before = origin.requests.length;
    const refused = await guard.fetch(url, { ...limits, method: "POST", keepAlive: true }).catch((e) => e);
    expect(refused).toBeInstanceOf(OutboundError);
    expect((refused as OutboundError).reason).toBe("address");
    expect(origin.requests.length).toBe(before);
    guard.close();
    origin.handle = (_req, res) => res.end("hello");
  });
});
