import { UsageError, parse } from "../args.js";
import { usd } from "../format.js";

const WINDOWS = ["5m", "1h", "all"];

/** Where the running server is: --url, BRAID_URL, or BRAID_HOST/BRAID_PORT (the serve defaults). */
function serverUrl(flag: string | undefined): string {
  if (flag) return flag.replace(/\/$/, "");
  if (process.env.BRAID_URL) return process.env.BRAID_URL.replace(/\/$/, "");
  const host = process.env.BRAID_HOST || "127.0.0.1";
  return `http://${host.includes(":") ? `[${host}]` : host}:${process.env.BRAID_PORT || "5116"}`;
}

async function request(url: string, init: RequestInit = {}): Promise<any> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (process.env.BRAID_TOKEN) headers.authorization = `Bearer ${process.env.BRAID_TOKEN}`;
  let res: Response;
  try {
    res = await fetch(url, { ...init, headers });
  } catch (err) {
    throw new UsageError(`no Braid server answers at ${new URL(url).origin} (${(err as Error).message}); start it with \`braid serve\`, or pass --url`);
  }
  const body = (await res.json().catch(() => ({}))) as any;
  if (!res.ok) throw new UsageError(`${res.status}: ${body?.error?.message ?? res.statusText}`);
  return body;
}

const pct = (n: number) => `${Math.round(n * 1000) / 10}%`;
const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)}s` : `${Math.round(n)}ms`);

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** `braid backends stats|list|test`: the same data as the Backends page and GET /api/backends, from the running server. */
export default async function backends(argv: string[]): Promise<number> {
  const { positionals, values } = parse(argv, { window: { type: "string" }, json: { type: "boolean" }, url: { type: "string" } }, ["stats|list|test"]);
  const [sub, name] = positionals;
  const base = serverUrl(values.url);
  if (sub === "stats" || sub === "list") {
    const window = values.window ?? (sub === "stats" ? "5m" : "all");
    if (!WINDOWS.includes(window)) throw new UsageError(`--window must be one of ${WINDOWS.join(", ")}`);
    const body = await request(`${base}/api/backends?window=${window}`);
    if (values.json) {
      console.log(JSON.stringify(body, null, 2));
      return 0;
    }
    if (sub === "list") {
      const rows = [["backend", "provider", "model", "enabled", "base URL", "key env", "fallback", "source", "problems"]];
      for (const b of body.backends) {
        rows.push([
          b.name,
          `${b.provider}${b.simulated ? " (simulated)" : ""}`,
          b.model,
          b.enabled ? "yes" : "no",
          b.baseUrl ?? "-",
          b.apiKeyEnv ?? "-",
          b.fallback ?? "-",
          b.source,
          b.problems.join("; ") || "-",
        ]);
      }
      console.log(table(rows));
      return 0;
    }
    const rows = [["backend", "provider", "calls", "success", "p50", "p95", "tokens in/out", "cost", "cached", "breaker", "in flight", "last error"]];
    for (const b of body.backends) {
      const s = b.stats;
      rows.push([
        b.name,
        `${b.provider}${b.simulated ? " (sim)" : ""}${b.enabled ? "" : " [off]"}`,
        String(s.calls),
        s.calls ? pct(s.successRate) : "-",
        s.calls ? ms(s.p50Ms) : "-",
        s.calls ? ms(s.p95Ms) : "-",
        `${s.inputTokens}/${s.outputTokens}`,
        usd(s.costUsd),
        String(s.cacheHits),
        b.breaker,
        `${b.load.inFlight}${b.load.queued ? ` (+${b.load.queued} queued)` : ""}`,
        s.lastError ? `${s.lastError.slice(0, 80)}${s.lastErrorAt ? ` (${new Date(s.lastErrorAt).toISOString()})` : ""}` : "-",
      ]);
    }
    console.log(`window: ${window === "all" ? "since the server started" : `last ${window}`}`);
    console.log(table(rows));
    for (const t of body.transitions.slice(-10)) console.log(`breaker ${t.backend}: ${t.from} → ${t.to} at ${new Date(t.at).toISOString()}`);
    return 0;
  }
  if (sub === "test") {
    if (!name) throw new UsageError("backends test needs a backend name");
    const body = await request(`${base}/trpc/backends.test`, { method: "POST", body: JSON.stringify({ name }) });
    const r = body?.result?.data;
    if (values.json) console.log(JSON.stringify(r, null, 2));
    else if (r?.ok)
      console.log(`✓ ${r.backend}: answered in ${ms(r.latencyMs)} (model ${r.model}${r.simulated ? ", simulated" : ""}): ${JSON.stringify(r.reply)}`);
    else console.log(`✗ ${r?.backend ?? name}: ${r?.error ?? "no answer"}${r?.retryable ? " (retryable)" : ""}`);
    return r?.ok ? 0 : 1;
  }
  throw new UsageError(`unknown subcommand "${sub}"; use stats, list or test`);
}
