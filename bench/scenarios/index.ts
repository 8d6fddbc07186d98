/**
 * Every scenario, in the order `pnpm bench` runs them. A scenario is one file in this folder
 * exporting `scenario: Scenario` (see ../lib/types.ts); add a line here to include a new one.
 */
import type { Scenario } from "../lib/types.js";
import { scenario as batchThroughput } from "./batch-throughput.js";
import { scenario as canvas } from "./canvas.js";
import { scenario as criticalPath } from "./critical-path.js";
import { scenario as engineOverhead } from "./engine-overhead.js";
import { scenario as evalOverhead } from "./eval-overhead.js";
import { scenario as liveEventLatency } from "./live-event-latency.js";
import { scenario as mermaidExport } from "./mermaid-export.js";
import { scenario as providerCpu } from "./provider-cpu.js";
import { scenario as queue } from "./queue.js";

export const SCENARIOS: Scenario[] = [engineOverhead, criticalPath, providerCpu, batchThroughput, evalOverhead, mermaidExport, liveEventLatency, canvas, queue];
