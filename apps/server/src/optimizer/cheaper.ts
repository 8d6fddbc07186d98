/**
 * The "cheaper backend" suggestion: for the live version's most expensive LLM node, the next
 * cheaper enabled backend in the pool (the dearest one still cheaper, so the step down in tier is
 * the smallest). Prices are the pool's, per 1,000 tokens, input + output.
 */
import type { BackendConfig, Pipeline } from "@braid/engine";
import { isPlainObject } from "@braid/engine";

export interface CheaperBackend {
  node: string;
  from: string;
  to: string;
  /** USD per 1,000 input + 1,000 output tokens, before and after. */
  fromPrice: number;
  toPrice: number;
}

const price = (c: BackendConfig) => c.pricing.input + c.pricing.output;

export function cheaperBackend(pipeline: Pipeline, backends: readonly BackendConfig[]): CheaperBackend | undefined {
  const byName = new Map(backends.map((b) => [b.name, b]));
  const used = pipeline.nodes
    .flatMap((n) => {
      const name = isPlainObject(n.config) ? n.config.backend : undefined;
      const cfg = typeof name === "string" ? byName.get(name) : undefined;
      return cfg ? [{ node: n.id, cfg }] : [];
    })
    .sort((a, b) => price(b.cfg) - price(a.cfg));
  for (const u of used) {
    const options = backends.filter((b) => b.enabled && b.name !== u.cfg.name && price(b) < price(u.cfg)).sort((a, b) => price(b) - price(a));
    const to = options[0];
    if (to) return { node: u.node, from: u.cfg.name, to: to.name, fromPrice: price(u.cfg), toPrice: price(to) };
  }
  return undefined;
}
