/** Mermaid export time for a 1,000-node pipeline (fan-outs with merges, labels that need escaping). */
import { toMermaid } from "@braid/engine";
import { defaultRegistry as registry } from "@braid/nodes";
import { widePipeline } from "../lib/pipelines.js";
import { percentile } from "@braid/engine";
import { fmt, median } from "../lib/stats.js";
import type { Scenario } from "../lib/types.js";

export const scenario: Scenario = {
  id: "mermaid-export",
  title: "Mermaid export",
  async run({ quick }) {
    const pipeline = widePipeline(1000);
    const reps = quick ? 10 : 30;
    for (let i = 0; i < 3; i++) toMermaid(pipeline, { registry });
    const times: number[] = [];
    let size = 0;
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      size = toMermaid(pipeline, { registry }).length;
      times.push(performance.now() - t0);
    }
    const p50 = median(times);
    return {
      rows: [
        { metric: `toMermaid, ${pipeline.nodes.length} nodes / ${pipeline.edges.length} edges: p50`, value: `${fmt(p50, 1)} ms` },
        {
          metric: `toMermaid, ${pipeline.nodes.length} nodes / ${pipeline.edges.length} edges: p95`,
          value: `${fmt(percentile(times, 0.95), 1)} ms`,
          note: `${Math.round(size / 1024)} KiB of Mermaid`,
        },
      ],
      data: { nodes: pipeline.nodes.length, edges: pipeline.edges.length, reps, p50Ms: p50, p95Ms: percentile(times, 0.95), bytes: size, samplesMs: times },
    };
  },
};
