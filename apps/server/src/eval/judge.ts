/**
 * LLM judges for `llm-rubric` and `select-best`, on a named backend of the pool. The core's
 * evaluators take the judge as a function, so they stay pure; this is the one that calls a model.
 * The seed key is the request itself: a simulated judge gives the same verdict for the same output.
 */
import { type BackendPool, type Judge, type PickJudge, createRng, extractJson, isPlainObject, stableStringify } from "@braid/engine";

const RUBRIC_SCHEMA = {
  type: "object",
  required: ["score", "reason"],
  properties: { score: { type: "number", minimum: 0, maximum: 1 }, reason: { type: "string" } },
};
const PICK_SCHEMA = {
  type: "object",
  required: ["better", "reason"],
  properties: { better: { type: "string", enum: ["a", "b", "tie"] }, reason: { type: "string" } },
};
const JUDGE_TIMEOUT_MS = 120_000;

/** The judge's backend: the evaluator's, else `fallback` (`--judge`), else `validator` when configured, else the first backend. */
export function judgeBackend(pool: BackendPool, named: string | undefined, fallback: string | undefined): string {
  if (named) return named;
  if (fallback) return fallback;
  const list = pool.list();
  return list.find((b) => b.name === "validator")?.name ?? list[0]?.name ?? "validator";
}

async function ask(pool: BackendPool, backend: string, prompt: string, schema: Record<string, unknown>): Promise<Record<string, unknown>> {
  const seedKey = `eval-judge|${backend}|${prompt}`;
  const res = await pool.call(
    backend,
    { system: "You are a strict, fair evaluator. Answer with JSON only.", prompt, json: { schema }, task: { type: "judge" } },
    { signal: AbortSignal.timeout(JUDGE_TIMEOUT_MS), seedKey, random: createRng(seedKey) },
  );
  const parsed = extractJson(res.text);
  if (!parsed.ok || !isPlainObject(parsed.value)) throw new Error(`judge "${backend}" did not answer with a JSON object`);
  return parsed.value;
}

export function poolJudge(pool: BackendPool, fallback?: string): Judge {
  return async (req) => {
    const backend = judgeBackend(pool, req.backend, fallback);
    const prompt = [
      `Score the output against the rubric from 0 (fails it) to 1 (meets it fully).`,
      `Rubric: ${req.rubric}`,
      `Input: ${stableStringify(req.input)}`,
      `Output: ${stableStringify(req.output ?? null)}`,
      ...(req.expected !== undefined ? [`Expected: ${stableStringify(req.expected)}`] : []),
      `Reply as JSON: {"score": <0..1>, "reason": "<one line>"}`,
    ].join("\n");
    const v = await ask(pool, backend, prompt, RUBRIC_SCHEMA);
    if (typeof v.score !== "number") throw new Error(`judge "${backend}" gave no numeric score`);
    return { score: v.score, reason: typeof v.reason === "string" ? v.reason : "" };
  };
}

export function poolPickJudge(pool: BackendPool, fallback?: string): PickJudge {
  return async (req) => {
    const backend = judgeBackend(pool, req.backend, fallback);
    const prompt = [
      `Which output answers the input better${req.rubric ? ` (${req.rubric})` : ""}?`,
      `Input: ${stableStringify(req.input)}`,
      `Output A: ${stableStringify(req.a ?? null)}`,
      `Output B: ${stableStringify(req.b ?? null)}`,
      `Reply as JSON: {"better": "a" | "b" | "tie", "reason": "<one line>"}`,
    ].join("\n");
    const v = await ask(pool, backend, prompt, PICK_SCHEMA);
    if (v.better !== "a" && v.better !== "b" && v.better !== "tie") throw new Error(`judge "${backend}" picked neither a, b nor tie`);
    return v.better;
  };
}
