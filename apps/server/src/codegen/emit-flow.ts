import type { EmitNode, KindEmitter } from "./source.js";
import { lit } from "./source.js";

/** The run's input enters here; its output is the input itself. */
export const inputEmitter: KindEmitter = {
  body: () => ["return finish(state, ID, state.input);"],
};

/** The run's result: a template over the state, or every node's latest output. */
export const outputEmitter: KindEmitter = {
  body(n: EmitNode<{ value?: string }>) {
    const v = n.config.value;
    if (v !== undefined && v !== "") return [`return finish(state, ID, await value(${lit(v)}, view, ID));`];
    return ['const all = Object.fromEntries(Object.entries(view).filter(([k]) => k !== "input" && k !== ID));', "return finish(state, ID, all);"];
  },
};

interface Branch {
  id: string;
  label?: string;
  when?: string;
  weight?: number;
  upTo?: number;
}
interface RouteConfig {
  strategy: "rules" | "complexity" | "classifier" | "weighted";
  branches: Branch[];
  default: string;
  subject?: string;
  rules?: string[];
  backend?: string;
  prompt?: string;
  maxIterations?: number;
  exitBranch?: string;
}

/** Picks exactly one branch; `take` records it (graph.ts follows meta.branch). */
export const routeEmitter: KindEmitter = {
  body(n: EmitNode<RouteConfig>) {
    const c = n.config;
    const lines = [
      "const take = (branch: string, reason: string, score?: number) =>",
      "  finish(state, ID, { branch, reason, ...(score !== undefined ? { score } : {}) }, { branch, reason });",
    ];
    if (c.maxIterations !== undefined && c.exitBranch) {
      lines.push(
        `// Loop bound: after ${c.maxIterations} visits the route takes ${lit(c.exitBranch)}.`,
        `if (visitOf(state, ID) >= ${c.maxIterations}) return take(${lit(c.exitBranch)}, ${lit(`loop bound reached: ${c.maxIterations} iterations`)});`,
      );
    }
    switch (c.strategy) {
      case "rules":
        lines.push("// Rules in order; the first JSONata condition that holds wins.");
        for (const b of c.branches) {
          if (b.when === undefined || b.when.trim() === "") continue;
          lines.push(`if (isTruthy(await evaluate(${lit(b.when)}, view))) return take(${lit(b.id)}, ${lit(`rule for "${b.id}" matched: ${b.when}`)});`);
        }
        lines.push(`return take(${lit(c.default)}, "no rule matched; took the default");`);
        break;
      case "complexity":
        lines.push(
          `const s = complexity(await value(${lit(c.subject ?? "{{input}}")}, view, ID), ${c.rules?.length ?? 0});`,
          'const parts = `fields ${s.fields}, depth ${s.depth}, arrays ${s.arrays ? "yes" : "no"}, rules ${s.rules}`;',
        );
        for (const b of c.branches) {
          if (b.upTo === undefined) continue;
          lines.push(`if (s.score <= ${b.upTo}) return take(${lit(b.id)}, \`complexity \${s.score} ≤ ${b.upTo} (\${parts})\`, s.score);`);
        }
        lines.push(`return take(${lit(c.default)}, \`complexity \${s.score} above every threshold (\${parts})\`, s.score);`);
        break;
      case "classifier": {
        const labels = c.branches.map((b) => (b.label ? `${b.id} (${b.label})` : b.id)).join(", ");
        lines.push(
          `const subject = await value(${lit(c.subject ?? "{{input}}")}, view, ID);`,
          `const instructions = ${c.prompt ? `await render(${lit(c.prompt)}, view, ID)` : lit("Classify the request.")};`,
          `const answer = await llm(${lit(c.backend)}, {`,
          `  system: "You are a router. Reply with JSON only.",`,
          `  prompt: \`\${instructions}\\nLabels: \${${lit(labels)}}\\nRequest:\\n\${stringify(subject)}\\nReply as JSON: {"label": "<one label>", "reason": "<why>"}\`,`,
          `  json: { shape: { label: "string", reason: "string" } },`,
          "  temperature: 0,",
          "}, ID);",
          "const picked = answer.json as { label: string; reason: string };",
          `if ((${lit(c.branches.map((b) => b.id))} as string[]).includes(picked.label)) return take(picked.label, \`classifier: \${picked.reason}\`);`,
          `return take(${lit(c.default)}, \`classifier answered "\${picked.label}", which is not a branch; took the default\`);`,
        );
        break;
      }
      case "weighted": {
        const weights = c.branches.map((b) => Math.max(0, b.weight ?? 1));
        lines.push(
          "// Braid draws from the run seed; here the draw is Math.random().",
          `const branches = ${lit(c.branches.map((b) => b.id))};`,
          `const weights = ${lit(weights)};`,
          "const total = weights.reduce((a, b) => a + b, 0);",
          "const r = Math.random() * total;",
          "let acc = 0;",
          "for (let i = 0; i < branches.length; i++) {",
          "  acc += weights[i] as number;",
          '  if (r < acc) return take(branches[i] as string, `weighted draw ${(r / total).toFixed(3)} (weights ${weights.join("/")})`);',
          "}",
          `return take(${lit(c.default)}, "weighted draw fell through; took the default");`,
        );
        break;
      }
    }
    return lines;
  },
  wiring(n: EmitNode<RouteConfig>) {
    const c = n.config;
    const out = [
      `route (${c.strategy}), default ${lit(c.default)}${c.maxIterations !== undefined ? `, loop bound ${c.maxIterations} then ${lit(c.exitBranch)}` : ""}`,
    ];
    for (const b of c.branches) {
      if (c.strategy === "rules" && b.when) out.push(`  ${lit(b.id)} when JSONata ${lit(b.when)}`);
      if (c.strategy === "complexity" && b.upTo !== undefined) out.push(`  ${lit(b.id)} when complexity <= ${b.upTo}`);
      if (c.strategy === "weighted") out.push(`  ${lit(b.id)} weight ${b.weight ?? 1}`);
    }
    return out;
  },
};

interface MergeConfig {
  strategy: "object" | "concat" | "vote" | "synthesize";
  keyed?: boolean;
  vote?: "score" | "majority";
  backend?: string;
  prompt?: string;
  shape?: unknown;
}

/** Fan-in (a deferred node in graph.ts): combines the branches that produced output. */
export const mergeEmitter: KindEmitter = {
  body(n: EmitNode<MergeConfig>) {
    const c = n.config;
    const lines = [
      "// Only branches that produced output: a route upstream may have skipped some.",
      `const arrived = ${lit(n.incoming)}.filter((id) => state.outputs[id] !== undefined);`,
    ];
    switch (c.strategy) {
      case "object":
        if (c.keyed) lines.push("return finish(state, ID, Object.fromEntries(arrived.map((id) => [id, state.outputs[id]])));");
        else
          lines.push(
            "let merged: unknown = {};",
            "for (const id of arrived) merged = deepMerge(merged, isPlainObject(state.outputs[id]) ? state.outputs[id] : { [id]: state.outputs[id] });",
            "return finish(state, ID, merged);",
          );
        break;
      case "concat":
        lines.push(
          "const values = arrived.map((id) => state.outputs[id]);",
          `if (values.every((v) => typeof v === "string")) return finish(state, ID, values.join("\\n\\n"));`,
          "return finish(state, ID, values.flatMap((v) => (Array.isArray(v) ? v : [v])));",
        );
        break;
      case "vote":
        lines.push(
          "// A judge's candidate is the output it scored (its meta names the subject), with its score.",
          "const candidates = arrived.map((id) => {",
          "  const from = state.meta[id]?.subject ?? id;",
          "  const score = (state.outputs[id] as { score?: unknown } | undefined)?.score;",
          `  return { from, value: state.outputs[from], score: typeof score === "number" ? score : undefined };`,
          "});",
          `if (candidates.length === 0) return finish(state, ID, null, { reason: "no branch produced output" });`,
        );
        if (c.vote === "majority")
          lines.push(
            "const count = (v: unknown) => candidates.filter((x) => stableStringify(x.value) === stableStringify(v)).length;",
            "let best = candidates[0] as (typeof candidates)[number];",
            "for (const x of candidates) if (count(x.value) > count(best.value)) best = x;",
            "return finish(state, ID, best.value, { reason: `majority from ${best.from}`, meta: { score: count(best.value) / candidates.length } });",
          );
        else
          lines.push(
            "let best = candidates[0] as (typeof candidates)[number];",
            "for (const x of candidates) if ((x.score ?? -1) > (best.score ?? -1)) best = x;",
            'return finish(state, ID, best.value, { reason: `highest score ${best.score ?? "n/a"} from ${best.from}`, ...(best.score !== undefined ? { meta: { score: best.score } } : {}) });',
          );
        break;
      case "synthesize":
        lines.push(
          `const instructions = ${c.prompt ? `await render(${lit(c.prompt)}, view, ID)` : lit("Combine these results into one coherent result.")};`,
          'const prompt = `${instructions}\\n\\n${arrived.map((id) => `## ${id}\\n${JSON.stringify(state.outputs[id])}`).join("\\n\\n")}`;',
        );
        if (c.shape !== undefined)
          lines.push(
            `const answer = await llm(${lit(c.backend)}, { prompt, json: { shape: ${lit(c.shape)} } }, ID);`,
            "return finish(state, ID, answer.json);",
          );
        else
          lines.push(
            `const answer = await llm(${lit(c.backend)}, { prompt }, ID);`,
            "const parsed = extractJson(answer.text);",
            "return finish(state, ID, parsed.ok ? parsed.value : answer.text);",
          );
        break;
    }
    return lines;
  },
  wiring: (n: EmitNode<MergeConfig>) => [
    `merge (${n.config.strategy}${n.config.vote ? ` by ${n.config.vote}` : ""}): deferred, runs once every pending branch has finished`,
  ],
};
