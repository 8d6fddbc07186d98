/**
 * Egress policy: which hosts a backend's base URL may point at. Local single-user mode allows
 * what its owner configures; token mode (a server reachable by others) allows only the hosts
 * listed in BRAID_EGRESS_ALLOW. Hosts are normalised first, so that `2852039166`, `0xa9fea9fe`,
 * `0251.0376.0251.0376` and `[::ffff:169.254.169.254]` are all recognised as the cloud metadata
 * address, and `127.1`, `2130706433`, `0x7f000001`, `[::1]` and `[::ffff:127.0.0.1]` as loopback.
 * Address classes come from ipaddr.js's special-purpose ranges (IANA registries).
 */
import ipaddr from "ipaddr.js";

export type HostClass = "public" | "loopback" | "private" | "link-local" | "metadata" | "unspecified" | "reserved";

export interface EgressPolicy {
  /** `open`: every http(s) URL the owner configures. `allowlist`: only hosts in `allow`. */
  mode: "open" | "allowlist";
  /** `host` or `host:port` entries, normalised; `*.example.com` matches subdomains. */
  allow: readonly string[];
  /** Why the allowlist applies (refusals say so): the server's BRAID_TOKEN, or BRAID_EGRESS_ALLOW set by hand (the CLI too). */
  because?: "token" | "env";
}

export const OPEN_EGRESS: EgressPolicy = { mode: "open", allow: [] };

/** The policy for a server: token mode (or an explicit BRAID_EGRESS_ALLOW) means allowlist. */
export function egressPolicyFromEnv(env: Record<string, string | undefined>, tokenMode: boolean): EgressPolicy {
  const raw = env.BRAID_EGRESS_ALLOW ?? "";
  const allow = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map(normalizeAllowEntry);
  if (tokenMode) return { mode: "allowlist", allow, because: "token" };
  return allow.length > 0 ? { mode: "allowlist", allow, because: "env" } : OPEN_EGRESS;
}

/** `Host:Port` → canonical `host[:port]` (IPv4 in dotted form, IPv6 in brackets, lower case). */
export function normalizeAllowEntry(entry: string): string {
  if (entry.startsWith("*.")) return `*.${entry.slice(2).toLowerCase()}`;
  try {
    const u = new URL(`http://${entry}`);
    return u.port ? `${canonicalHost(u.hostname)}:${u.port}` : canonicalHost(u.hostname);
  } catch {
    return entry.toLowerCase();
  }
}

/**
 * Canonical form of a URL hostname. The WHATWG URL parser already turns decimal, hex, octal and
 * short IPv4 forms into dotted quads; this also unwraps IPv4 embedded in IPv6 (mapped, compatible, NAT64).
 */
export function canonicalHost(hostname: string): string {
  const h = hostname.toLowerCase().replace(/\.$/, "");
  if (!h.startsWith("[")) return h;
  const v6 = parseIpv6(h);
  const v4 = v6 && sameHostIpv4(v6);
  return v4 ? v4.toString() : h;
}

/** Classifies a (URL) hostname: loopback, private, link-local, the metadata address, or public. */
export function classifyHost(hostname: string): HostClass {
  const h = canonicalHost(hostname);
  if (ipaddr.IPv4.isValidFourPartDecimal(h)) return classifyIpv4(ipaddr.IPv4.parse(h));
  if (h.startsWith("[")) {
    const v6 = parseIpv6(h);
    return v6 ? classifyIpv6(v6) : "reserved";
  }
  if (h === "localhost" || h.endsWith(".localhost")) return "loopback";
  if (h === "metadata" || h === "metadata.google.internal" || h === "instance-data" || h.startsWith("instance-data.")) return "metadata";
  if (!h.includes(".") || /\.(local|internal|lan|intranet|home\.arpa|corp)$/.test(h)) return "private";
  return "public";
}

export type EgressCheck = { ok: true; url: URL; origin: string; host: string; hostClass: HostClass } | { ok: false; reason: string };

/** Checks a base URL (or any request URL) against the policy. Never throws. */
export function checkEgress(raw: string, policy: EgressPolicy): EgressCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: `"${raw}" is not a valid URL` };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return { ok: false, reason: `only http and https URLs are allowed, not ${url.protocol}` };
  if (url.username || url.password)
    return { ok: false, reason: "credentials in the URL are refused; give the key through apiKeyEnv (an environment variable name)" };
  const host = canonicalHost(url.hostname);
  const hostClass = classifyHost(url.hostname);
  const ok = { ok: true as const, url, origin: url.origin, host, hostClass };
  if (policy.mode === "open") return ok;
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  const allowed = policy.allow.some((entry) => {
    if (entry.startsWith("*.")) return host.endsWith(entry.slice(1)) && classifyHost(host) === "public";
    const [h, p] = splitHostPort(entry);
    return h === host && (p === undefined || p === port);
  });
  if (allowed) return ok;
  const what =
    hostClass === "metadata"
      ? " (the cloud metadata address)"
      : hostClass === "loopback"
        ? " (a loopback address)"
        : hostClass === "link-local"
          ? " (a link-local address)"
          : hostClass === "private" || hostClass === "unspecified" || hostClass === "reserved"
            ? ` (a ${hostClass} address)`
            : "";
  const why =
    policy.because === "token"
      ? "this server runs with BRAID_TOKEN, so backends may only reach hosts listed in BRAID_EGRESS_ALLOW"
      : policy.because === "env"
        ? "BRAID_EGRESS_ALLOW is set, so backends may only reach the hosts it lists"
        : "backends may only reach hosts listed in BRAID_EGRESS_ALLOW";
  return {
    ok: false,
    reason: `egress to ${host}:${port}${what} is not allowed: ${why} (now: ${policy.allow.join(", ") || "none"}); add ${host}:${port} to BRAID_EGRESS_ALLOW (comma-separated host[:port]) if it is meant to be reached`,
  };
}

function splitHostPort(entry: string): [string, string | undefined] {
  if (entry.startsWith("[")) {
    const end = entry.indexOf("]");
    const rest = entry.slice(end + 1);
    return [entry.slice(0, end + 1), rest.startsWith(":") ? rest.slice(1) : undefined];
  }
  const i = entry.lastIndexOf(":");
  return i < 0 ? [entry, undefined] : [entry.slice(0, i), entry.slice(i + 1)];
}

/** Cloud metadata services: AWS/GCP/Azure (169.254.169.254), Alibaba Cloud (100.100.100.200), AWS over IPv6. */
const METADATA = ["169.254.169.254", "100.100.100.200", "fd00:ec2::254"].map((a) => ipaddr.parse(a).toNormalizedString());

/** ipaddr.js range names → our classes. Globally reachable special-purpose ranges (AS112, AMT) stay public. */
const IPV4_CLASSES: Record<ReturnType<ipaddr.IPv4["range"]>, HostClass> = {
  unicast: "public",
  as112: "public",
  amt: "public",
  unspecified: "unspecified",
  loopback: "loopback",
  linkLocal: "link-local",
  private: "private",
  carrierGradeNat: "private",
  broadcast: "reserved",
  multicast: "reserved",
  reserved: "reserved",
  benchmarking: "reserved",
};

function classifyIpv4(a: ipaddr.IPv4): HostClass {
  if (METADATA.includes(a.toNormalizedString())) return "metadata";
  return IPV4_CLASSES[a.range()] ?? "reserved";
}

function classifyIpv6(a: ipaddr.IPv6): HostClass {
  const v4 = sameHostIpv4(a);
  if (v4) return classifyIpv4(v4);
  if (METADATA.includes(a.toNormalizedString())) return "metadata";
  // The range names ipaddr.js 2.5 uses for IPv6, some of which its typings do not list.
  const range: string = a.range();
  switch (range) {
    case "unicast":
    case "as112v6":
    case "amt":
      return "public";
    case "unspecified":
      return "unspecified";
    case "loopback":
      return "loopback";
    case "linkLocal":
      return "link-local";
    case "uniqueLocal":
    case "deprecatedSiteLocal":
      return "private";
    case "rfc6052":
      // Only the /96 well-known prefix embeds an IPv4 (handled above); 64:ff9b:1::/48 is for local use.
      return "private";
    case "6to4":
      // 2002:AABB:CCDD::/48 is the network behind the IPv4 address AA.BB.CC.DD.
      return classifyIpv4(fromWords(a.parts[1] ?? 0, a.parts[2] ?? 0));
    default:
      // teredo, documentation and other reserved ranges, benchmarking, ORCHID, discard, multicast, …
      return "reserved";
  }
}

const IPV4_COMPATIBLE = ipaddr.IPv6.parseCIDR("::/96");
const NAT64 = ipaddr.IPv6.parseCIDR("64:ff9b::/96");

/** The IPv4 address an IPv6 address stands for: IPv4-mapped (::ffff:a.b.c.d), -compatible (::a.b.c.d) or NAT64 (64:ff9b::a.b.c.d). */
function sameHostIpv4(a: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  if (a.isIPv4MappedAddress()) return a.toIPv4Address();
  const [hi = 0, lo = 0] = a.parts.slice(6);
  // :: and ::1 are IPv6's own unspecified and loopback addresses, not IPv4-compatible ones.
  if (a.match(IPV4_COMPATIBLE) && (hi !== 0 || lo > 1)) return fromWords(hi, lo);
  if (a.match(NAT64)) return fromWords(hi, lo);
  return undefined;
}

const fromWords = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 255, lo >> 8, lo & 255]);

/** A bracketed URL hostname (`[::1]`) as an IPv6 address, or undefined. */
function parseIpv6(bracketed: string): ipaddr.IPv6 | undefined {
  const inner = bracketed.slice(1, -1);
  return ipaddr.IPv6.isValid(inner) ? ipaddr.IPv6.parse(inner) : undefined;
}
