/**
 * Egress policy: which hosts a backend's base URL may point at. Local single-user mode allows
 * what its owner configures; token mode (a server reachable by others) allows only the hosts
 * listed in BRAID_EGRESS_ALLOW. Hosts are normalised first, so that `2852039166`, `0xa9fea9fe`,
 * `0251.0376.0251.0376` and `[::ffff:169.254.169.254]` are all recognised as the cloud metadata
 * address, and `127.1`, `2130706433`, `0x7f000001`, `[::1]` and `[::ffff:127.0.0.1]` as loopback.
 */

export type HostClass = "public" | "loopback" | "private" | "link-local" | "metadata" | "unspecified" | "reserved";

export interface EgressPolicy {
  /** `open`: every http(s) URL the owner configures. `allowlist`: only hosts in `allow`. */
  mode: "open" | "allowlist";
  /** `host` or `host:port` entries, normalised; `*.example.com` matches subdomains. */
  allow: readonly string[];
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
  return tokenMode || allow.length > 0 ? { mode: "allowlist", allow } : OPEN_EGRESS;
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
  const words = ipv6Words(h.slice(1, -1));
  if (!words) return h;
  const v4 = embeddedIpv4(words);
  return v4 ?? h;
}

/** Classifies a (URL) hostname: loopback, private, link-local, the metadata address, or public. */
export function classifyHost(hostname: string): HostClass {
  const h = canonicalHost(hostname);
  const v4 = ipv4Octets(h);
  if (v4) return classifyIpv4(v4);
  if (h.startsWith("[")) {
    const words = ipv6Words(h.slice(1, -1));
    return words ? classifyIpv6(words) : "reserved";
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
  return {
    ok: false,
    reason: `egress to ${host}:${port}${what} is not allowed: this server runs with BRAID_TOKEN, so backends may only reach hosts listed in BRAID_EGRESS_ALLOW (comma-separated host[:port])`,
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

function ipv4Octets(h: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  if (!m) return undefined;
  const o = m.slice(1).map(Number);
  return o.every((x) => x <= 255) ? o : undefined;
}

function classifyIpv4([a = 0, b = 0, c = 0, d = 0]: number[]): HostClass {
  if (a === 169 && b === 254 && c === 169 && d === 254) return "metadata";
  if (a === 100 && b === 100 && c === 100 && d === 200) return "metadata"; // Alibaba Cloud
  if (a === 127) return "loopback";
  if (a === 0) return "unspecified";
  if (a === 169 && b === 254) return "link-local";
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127)) return "private";
  if (a >= 224 || (a === 192 && b === 0 && c === 0) || (a === 198 && (b === 18 || b === 19))) return "reserved";
  return "public";
}

function classifyIpv6(w: number[]): HostClass {
  const v4 = embeddedIpv4(w);
  if (v4) return classifyIpv4(ipv4Octets(v4) ?? []);
  if (w.every((x) => x === 0)) return "unspecified";
  if (w.slice(0, 7).every((x) => x === 0) && w[7] === 1) return "loopback";
  // fd00:ec2::254, the AWS metadata service over IPv6.
  if (w[0] === 0xfd00 && w[1] === 0x0ec2 && w.slice(2, 7).every((x) => x === 0) && w[7] === 0x254) return "metadata";
  const first = w[0] ?? 0;
  if ((first & 0xffc0) === 0xfe80) return "link-local";
  if ((first & 0xfe00) === 0xfc00) return "private";
  if ((first & 0xff00) === 0xff00) return "reserved";
  return "public";
}

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), -compatible (::a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) IPv6 address. */
function embeddedIpv4(w: number[]): string | undefined {
  const zeros = (n: number) => w.slice(0, n).every((x) => x === 0);
  const mapped = zeros(5) && w[5] === 0xffff;
  const compatible = zeros(6) && ((w[6] ?? 0) !== 0 || (w[7] ?? 0) > 1);
  const nat64 = w[0] === 0x64 && w[1] === 0xff9b && w.slice(2, 6).every((x) => x === 0);
  if (!mapped && !compatible && !nat64) return undefined;
  const hi = w[6] ?? 0;
  const lo = w[7] ?? 0;
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Eight 16-bit words of an IPv6 address (with `::` and an optional dotted IPv4 tail), or undefined. */
function ipv6Words(addr: string): number[] | undefined {
  let a = addr.split("%")[0] ?? "";
  const tail = /(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(a);
  if (tail?.[1]) {
    const o = ipv4Octets(tail[1]);
    if (!o) return undefined;
    a = `${a.slice(0, -tail[1].length)}${(((o[0] ?? 0) << 8) | (o[1] ?? 0)).toString(16)}:${(((o[2] ?? 0) << 8) | (o[3] ?? 0)).toString(16)}`;
  }
  const halves = a.split("::");
  if (halves.length > 2) return undefined;
  const parse = (s: string) => (s === "" ? [] : s.split(":").map((x) => (/^[0-9a-f]{1,4}$/i.test(x) ? Number.parseInt(x, 16) : Number.NaN)));
  const head = parse(halves[0] ?? "");
  const rest = halves.length === 2 ? parse(halves[1] ?? "") : [];
  const fill = halves.length === 2 ? 8 - head.length - rest.length : 0;
  if (fill < 0 || (halves.length === 1 && head.length !== 8)) return undefined;
  const words = [...head, ...new Array<number>(fill).fill(0), ...rest];
  return words.length === 8 && words.every((x) => Number.isInteger(x)) ? words : undefined;
}
