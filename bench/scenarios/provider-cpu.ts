/**
 * CPU per real LLM call: Braid's OpenAI-compatible provider (OpenAiBackend.complete: egress check,
 * guarded fetch, the chat client, usage, redaction) against a bare `fetch` + `JSON.parse` loop
 * making the same requests, to the same loopback server, streaming and not. The server runs in a
 * child process so that its CPU is not counted; the two loops alternate so that load from other
 * processes hits both alike, and each ratio is the median of per-pair ratios.
 */
import { spawn } from "node:child_process";
import { BackendConfigSchema, type LlmRequest, OpenAiBackend } from "@braid/engine/node";
import { ROOT } from "../lib/pipelines.js";
import { fmt, median, settle } from "../lib/stats.js";
import type { Row, Scenario } from "../lib/types.js";

export const TARGET_RATIO = 2;
const CONCURRENCY = 8;

function startStubProcess(): Promise<{ url: string; stop(): void }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["--import", "tsx", "bench/stub-child.ts"], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    p.on("error", reject);
    p.on("exit", (code) => reject(new Error(`stub-child exited with ${code}`)));
    p.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n")[0] ?? "";
      if (out.includes("\n")) resolve({ url: line.trim(), stop: () => p.kill("SIGTERM") });
    });
  });
}

const REQ: LlmRequest = { system: "You are terse.", prompt: "Say hello to the otters.", task: { type: "generate" } };

/** The bare client: the same JSON body the chat client sends, the answer parsed and nothing else. */
async function bareCall(url: string, stream: boolean): Promise<string> {
  const body = {
    model: "gpt-stub",
    messages: [
      { role: "system", content: REQ.system },
      { role: "user", content: REQ.prompt },
    ],
    temperature: 0.7,
    stream,
    ...(stream ? { stream_options: { include_usage: true } } : {}),
  };
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer not-needed" },
    body: JSON.stringify(body),
  });
  if (!stream) return (await res.json()).choices[0].message.content;
  let text = "";
  for (const line of (await res.text()).split("\n")) {
    if (!line.startsWith("data: ") || line === "data: [DONE]") continue;
    text += JSON.parse(line.slice(6)).choices?.[0]?.delta?.content ?? "";
  }
  return text;
}

/** `n` calls, CONCURRENCY at a time; CPU ms (user + system) per call. */
async function cpuPerCall(n: number, call: () => Promise<unknown>): Promise<number> {
  let next = 0;
  const c0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < n) await call();
    }),
  );
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / n;
}

export const scenario: Scenario = {
  id: "provider-cpu",
  title: "CPU per real-wire LLM call (loopback OpenAI-compatible server)",
  async run({ quick, log }) {
    const n = quick ? 300 : 2000;
    const reps = quick ? 5 : 9;
    const stub = await startStubProcess();
    try {
      const backend = new OpenAiBackend(
        BackendConfigSchema.parse({ name: "stub", provider: "openai", model: "gpt-stub", baseUrl: `${stub.url}/v1`, temperature: 0.7, retries: 0 }),
      );
      const rows: Row[] = [];
      const data: Record<string, unknown> = { calls: n, concurrency: CONCURRENCY, reps };
      for (const stream of [false, true]) {
        const ctx = () => ({ signal: new AbortController().signal, seedKey: "bench", ...(stream ? { onToken: () => {} } : {}) });
        const braid = () => backend.complete(REQ, ctx());
        const bare = () => bareCall(stub.url, stream);
        const mode = stream ? "streaming" : "non-streaming";
        log(`${mode}: ${reps} × ${n} calls each, alternating…`);
        await cpuPerCall(50, braid);
        await cpuPerCall(50, bare);
        const b: number[] = [];
        const r: number[] = [];
        for (let i = 0; i < reps; i++) {
          await settle();
          const order = i % 2 === 0 ? [braid, bare] : [bare, braid];
          const first = await cpuPerCall(n, order[0] as () => Promise<unknown>);
          const second = await cpuPerCall(n, order[1] as () => Promise<unknown>);
          b.push(i % 2 === 0 ? first : second);
          r.push(i % 2 === 0 ? second : first);
        }
        const ratio = median(b.map((x, i) => x / (r[i] as number)));
        data[mode] = { braidCpuMsPerCall: median(b), bareCpuMsPerCall: median(r), ratio };
        rows.push(
          { metric: `${mode}: Braid provider, CPU per call`, value: `${fmt(median(b), 3)} ms` },
          { metric: `${mode}: bare fetch + JSON.parse, CPU per call`, value: `${fmt(median(r), 3)} ms` },
          { metric: `${mode}: Braid / bare`, value: `${fmt(ratio)}×`, target: `≤ ${TARGET_RATIO}×`, met: ratio <= TARGET_RATIO },
        );
      }
      return { rows, data };
    } finally {
      stub.stop();
    }
  },
};
