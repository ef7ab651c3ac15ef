// Which network addresses the server may reach on someone else's behalf. Everything that is not the public
// internet is refused: loopback, private (RFC 1918), CGNAT, link-local, unique-local, multicast, reserved and
// documentation ranges, and the IPv6 forms that embed an IPv4 address (mapped, NAT64, 6to4) are judged by it;
// the forms whose IPv4 address is translated or obscured (local-use NAT64, SIIT, Teredo) are refused outright.
import { BlockList, isIP } from "node:net";

const forbiddenV4 = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8], // "this network"; 0.0.0.0 reaches the local host
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // CGNAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata services
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const) {
  forbiddenV4.addSubnet(network, prefix, "ipv4");
}

const forbiddenV6 = new BlockList();
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["100::", 64], // discard-only
  ["2001::", 32], // Teredo: tunnels to an IPv4 address obscured in the last groups
  ["2001:db8::", 32], // documentation
  ["64:ff9b:1::", 48], // local-use NAT64 (RFC 8215): translates to addresses inside the network
  ["::ffff:0:0:0", 96], // SIIT IPv4-translated addresses (::ffff:0:a.b.c.d)
  ["fc00::", 7], // unique-local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local (deprecated)
  ["ff00::", 8], // multicast
] as const) {
  forbiddenV6.addSubnet(network, prefix, "ipv6");
}

/** Expands an IPv6 address into its eight 16-bit groups (no zone). */
function groupsOf(address: string): number[] {
  let text = address.split("%")[0]!.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split(".").map(Number) as [number, number, number, number];
    text = `${text.slice(0, -dotted[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const fill = tail === undefined ? [] : Array(8 - left.length - right.length).fill("0");
  return [...left, ...fill, ...right].map((g) => Number.parseInt(g || "0", 16));
}

/** The IPv4 address an IPv6 address stands for (mapped, compatible, NAT64, 6to4), if any. */
export function embeddedIpv4(address: string): string | undefined {
  const g = groupsOf(address);
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && g[5] === 0xffff) return v4(g[6]!, g[7]!); // ::ffff:a.b.c.d
  if (zeros(0, 6) && (g[6] !== 0 || g[7]! > 1)) return v4(g[6]!, g[7]!); // ::a.b.c.d (deprecated)
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return v4(g[6]!, g[7]!); // NAT64
  if (g[0] === 0x2002) return v4(g[1]!, g[2]!); // 6to4
  return undefined;
}

/** Whether an IP address is outside the public internet (and so refused unless allowlisted). */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return forbiddenV4.check(address, "ipv4");
  if (family === 6) {
    const v4 = embeddedIpv4(address);
    if (v4 !== undefined) return forbiddenV4.check(v4, "ipv4");
    return forbiddenV6.check(address.split("%")[0]!, "ipv6");
  }
  return true; // not an address at all
}

/** Operator-allowed targets: host names, IP addresses and CIDR ranges (OUTBOUND_ALLOWLIST). */
export class Allowlist {
  private readonly hosts = new Set<string>();
  private readonly ranges = new BlockList();

  constructor(entries: readonly string[] = []) {
    for (const raw of entries) {
      const entry = raw
        .trim()
        .toLowerCase()
        .replace(/^\[|\]$/g, "");
      if (entry === "") continue;
      const problem = allowlistEntryProblem(entry);
      if (problem) throw new Error(problem);
      const [network, prefix] = entry.split("/");
      const family = isIP(network!);
      if (family === 0) this.hosts.add(entry);
      else {
        const type = family === 4 ? "ipv4" : "ipv6";
        this.ranges.addSubnet(network!, prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix), type);
      }
    }
  }

  allowsHost(hostname: string): boolean {
    return this.hosts.has(hostname.toLowerCase());
  }

  allowsAddress(address: string): boolean {
    const family = isIP(address);
    if (family === 0) return false;
    if (this.ranges.check(address, family === 4 ? "ipv4" : "ipv6")) return true;
    const v4 = family === 6 ? embeddedIpv4(address) : undefined;
    return v4 !== undefined && this.ranges.check(v4, "ipv4");
  }
}

/** Why an OUTBOUND_ALLOWLIST entry is unusable, or undefined when it is fine. */
export function allowlistEntryProblem(entry: string): string | undefined {
  const [network, prefix, extra] = entry.split("/");
  const family = isIP(network ?? "");
  if (extra !== undefined) return `"${entry}" is not a host, an IP address or a CIDR range`;
  if (prefix !== undefined) {
    const max = family === 4 ? 32 : 128;
    if (family === 0 || !/^\d{1,3}$/.test(prefix) || Number(prefix) > max) {
      return `"${entry}" is not a valid CIDR range`;
    }
    return undefined;
  }
  if (family !== 0) return undefined;
  return /^[a-z0-9]([a-z0-9-]{0,62}\.)*[a-z0-9-]{1,63}$/.test(entry) ? undefined : `"${entry}" is not a host name`;
}
