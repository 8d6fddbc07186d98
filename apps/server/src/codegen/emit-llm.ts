import type { EmitNode, KindEmitter } from "./source.js";
import { lit } from "./source.js";

interface GenerateConfig {
  backend: string;
  prompt: string;
  system?: string;
  shape?: unknown;
  schema?: Record<string, unknown>;
  count?: number;
  temperature?: number;
  maxTokens?: number;
  revises?: string;
}

/** The background documents' `"$cache": N` in a shape is a directive, not part of the output. */
function withoutCacheDirective(shape: unknown): unknown {
  if (shape === null || typeof shape !== "object" || Array.isArray(shape) || !Object.hasOwn(shape, "$cache")) return shape;
  const { $cache: _directive, ...rest } = shape as Record<string, unknown>;
  return rest;
}

/** The `json` field of an LLM request, or undefined for a text answer. */
function jsonSpec(c: { shape?: unknown; schema?: Record<string, unknown>; count?: number }): string | undefined {
  if (c.shape === undefined && c.schema === undefined) return undefined;
  const parts: string[] = [];
  if (c.shape !== undefined) parts.push(`shape: ${lit(withoutCacheDirective(c.shape))}`);
  if (c.schema) parts.push(`schema: ${lit(c.schema)}`);
  if (c.count) parts.push(`count: ${c.count}`);
  return `{ ${parts.join(", ")} }`;
}

/** One LLM call: text, or JSON following a shape or schema; a corrector replaces the output it revises. */
export const generateEmitter: KindEmitter = {
  body(n: EmitNode<GenerateConfig>) {
    const c = n.config;
    const json = jsonSpec(c);
    const fields = ["prompt", ...(c.system !== undefined ? ["system"] : [])];
    if (json) fields.push(`json: ${json}`);
    if (c.temperature !== undefined) fields.push(`temperature: ${c.temperature}`);
    if (c.maxTokens !== undefined) fields.push(`maxTokens: ${c.maxTokens}`);
    return [
      `const prompt = await render(${lit(c.prompt)}, view, ID);`,
      ...(c.system !== undefined ? [`const system = await render(${lit(c.system)}, view, ID);`] : []),
      `const answer = await llm(${lit(c.backend)}, { ${fields.join(", ")} }, ID);`,
      c.revises
        ? `return finish(state, ID, answer.${json ? "json" : "text"}, { replaces: [${lit(c.revises)}] });`
        : `return finish(state, ID, answer.${json ? "json" : "text"});`,
    ];
  },
  wiring: (n: EmitNode<GenerateConfig>) => (n.config.revises ? [`corrector: its output replaces ${lit(n.config.revises)}'s`] : []),
};

interface CritiqueConfig {
  backend?: string;
  target: string;
  rubric?: string[];
  schema?: Record<string, unknown>;
  threshold: number;
  maxAttempts: number;
  prompt?: string;
  passWithIssues?: boolean;
}

/** Scores the target (JSON Schema and/or an LLM judge) and takes pass, fail (attempts remain) or exhausted. */
export const critiqueEmitter: KindEmitter = {
  body(n: EmitNode<CritiqueConfig>) {
    const c = n.config;
    const judged = (c.rubric?.length ?? 0) > 0 && c.backend !== undefined;
    const lines = [
      `const threshold = ${c.threshold};`,
      `const maxAttempts = ${c.maxAttempts};`,
      `const subject = state.outputs[${lit(c.target)}];`,
      `if (subject === undefined) throw new PipelineError("E_TEMPLATE_RUNTIME", ${lit(`critique target "${c.target}" has no output yet`)}, ID);`,
      "const attempt = (state.meta[ID]?.attempts ?? 0) + 1;",
      "const issues: string[] = [];",
      "let score = 1;",
    ];
    if (c.schema) {
      lines.push(
        `const problems = schemaProblems(${lit(c.schema)}, subject);`,
        "issues.push(...problems.map((p) => `schema: ${p}`));",
        "if (problems.length) score = Math.max(0, 1 - 0.25 * problems.length);",
      );
    }
    if (judged) {
      lines.push(
        ...(c.prompt !== undefined ? [`const extra = await render(${lit(c.prompt)}, view, ID);`] : []),
        `const answer = await llm(${lit(c.backend)}, {`,
        `  system: "You are a strict reviewer. Reply with JSON only.",`,
        `  prompt: judgePrompt(${lit(c.rubric)}, subject, ${c.prompt !== undefined ? "extra" : "undefined"}),`,
        `  json: { shape: { score: 0, issues: ["string"] } },`,
        "  temperature: 0,",
        "}, ID);",
        "const judgement = readJudgement(answer.json, ID);",
        "score = Math.min(score, judgement.score);",
        "issues.push(...judgement.issues);",
      );
    }
    lines.push(
      "score = Math.round(score * 1000) / 1000;",
      "// The score alone does not pass: a schema problem, an issue the judge listed or its own `passed: false` each block it.",
      `const blocked = issues.some((i) => i.startsWith("schema:"))${judged ? ` || ${c.passWithIssues ? "false" : "judgement.issues.length > 0"} || judgement.verdict === false` : ""};`,
      "const passed = score >= threshold && !blocked;",
      `const branch = passed ? "pass" : attempt >= maxAttempts ? "exhausted" : "fail";`,
      "const reason = `score ${score} (threshold ${threshold}) on attempt ${attempt} of ${maxAttempts}`;",
      `return finish(state, ID, { score, passed, issues, attempt }, { branch, reason, meta: { attempts: attempt, score, passed, subject: ${lit(c.target)} } });`,
    );
    return lines;
  },
  wiring: (n: EmitNode<CritiqueConfig>) => [
    `critique of ${lit(n.config.target)}: pass at score >= ${n.config.threshold}; "fail" while attempts remain, "exhausted" on attempt ${n.config.maxAttempts} (maxAttempts)`,
  ],
};
