/**
 * The baseline: the benchmark graphs written directly in LangGraph.js, the way a developer would
 * without Braid. Trivial nodes call the same zero-latency simulated backend through the same pool
 * with the same request a Braid generate node sends, and parse its JSON. No events, no templates,
 * no validation, no event store; the same SqliteSaver checkpointer and an abort signal (any server
 * that can cancel a run passes one).
 */
import type { BackendPool } from "@braid/engine";
import { Annotation, type BaseCheckpointSaver, END, START, StateGraph } from "@langchain/langgraph";
import { BENCH_SHAPE } from "./pipelines.js";

const mergeRecords = (a: Record<string, unknown>, b: Record<string, unknown>) => ({ ...a, ...b });
const RawState = Annotation.Root({
  input: Annotation<{ topic: string }>(),
  outputs: Annotation<Record<string, unknown>>({ reducer: mergeRecords, default: () => ({}) }),
  iterations: Annotation<number>({ reducer: (_a, b) => b, default: () => 0 }),
});
type State = typeof RawState.State;
type Config = { signal?: AbortSignal };

function generateNode(pool: BackendPool, id: string) {
  let call = 0;
  return async (state: State, config: Config) => {
    const res = await pool.call(
      "generator",
      { prompt: `Create a user profile for ${state.input.topic}.`, json: { shape: BENCH_SHAPE }, task: { type: "generate" } },
      { signal: config.signal as AbortSignal, seedKey: `${id}|${call++}`, random: Math.random },
    );
    return { outputs: { [id]: JSON.parse(res.text) } };
  };
}

// StateGraph's node-name generics need literal names (langgraphjs #763); these graphs use computed ones.
type AnyGraph = StateGraph<typeof RawState.spec, State, Partial<State>, string>;
const newGraph = () => new StateGraph(RawState) as unknown as AnyGraph;

export function rawLoop(pool: BackendPool, iterations: number, checkpointer?: BaseCheckpointSaver) {
  const g = newGraph();
  g.addNode("in", (s: State) => ({ outputs: { in: s.input } }));
  g.addNode("gen", generateNode(pool, "gen"));
  g.addNode("loop", (s: State) => ({ iterations: s.iterations + 1 }));
  g.addNode("out", (s: State) => ({ outputs: { out: s.outputs.gen } }));
  g.addEdge(START, "in");
  g.addEdge("in", "gen");
  g.addEdge("gen", "loop");
  g.addConditionalEdges("loop", (s: State) => (s.iterations <= iterations ? "gen" : "out"), ["gen", "out"]);
  g.addEdge("out", END);
  return g.compile(checkpointer ? { checkpointer } : {});
}

export function rawChain(pool: BackendPool, nodes: number, checkpointer?: BaseCheckpointSaver) {
  const g = newGraph();
  const gens = Array.from({ length: nodes - 2 }, (_, i) => `g${i + 1}`);
  const last = gens[gens.length - 1] as string;
  g.addNode("in", (s: State) => ({ outputs: { in: s.input } }));
  for (const id of gens) g.addNode(id, generateNode(pool, id));
  g.addNode("out", (s: State) => ({ outputs: { out: s.outputs[last] } }));
  const ids = ["in", ...gens, "out"];
  g.addEdge(START, "in");
  for (let i = 1; i < ids.length; i++) g.addEdge(ids[i - 1] as string, ids[i] as string);
  g.addEdge("out", END);
  return g.compile(checkpointer ? { checkpointer } : {});
}

export type RawGraph = ReturnType<typeof rawChain>;

export async function runRaw(graph: RawGraph, threadId: string, recursionLimit: number): Promise<void> {
  const controller = new AbortController();
  await graph.invoke({ input: { topic: "benchmarks" } }, { configurable: { thread_id: threadId }, recursionLimit, signal: controller.signal });
}

const keep = <T>(_a: T, b: T) => b;
/** State for the skewed graphs: `input` takes a reducer because each branch subgraph hands its whole state back. */
const SkewState = Annotation.Root({
  input: Annotation<{ topic: string }>({ reducer: keep, default: () => ({ topic: "" }) }),
  outputs: Annotation<Record<string, unknown>>({ reducer: mergeRecords, default: () => ({}) }),
});
type Skew = typeof SkewState.State;
type SkewGraph = StateGraph<typeof SkewState.spec, Skew, Partial<Skew>, string>;

function tierNode(pool: BackendPool, id: string, backend: string) {
  return async (state: Skew, config: Config) => {
    const res = await pool.call(
      backend,
      { prompt: `Step ${id} for ${state.input.topic}.`, task: { type: "generate" } },
      { signal: config.signal as AbortSignal, seedKey: id, random: Math.random },
    );
    return { outputs: { [id]: res.text } };
  };
}

/** in → (a1 premium → a2 fast ‖ b1 fast → b2 premium) → join → out: the skewed-branches graph. */
export const SKEWED_BRANCHES: Array<Array<[string, string]>> = [
  [
    ["a1", "validator"],
    ["a2", "generator"],
  ],
  [
    ["b1", "generator"],
    ["b2", "validator"],
  ],
];

/**
 * The skewed-branches graph in plain LangGraph. `subgraphs: false` is the flat StateGraph (one
 * superstep per depth, so a2 and b2 start together, when both a1 and b1 are done). `subgraphs:
 * true` compiles each branch into its own StateGraph added as one node of the parent: a branch
 * is then one parent superstep and advances at its own pace; the prototype of critical-path scheduling.
 */
export function rawSkewed(pool: BackendPool, subgraphs: boolean, checkpointer?: BaseCheckpointSaver) {
  const g = new StateGraph(SkewState) as unknown as SkewGraph;
  g.addNode("in", (s: Skew) => ({ outputs: { in: s.input } }));
  g.addNode("join", (s: Skew) => ({ outputs: { join: { a: s.outputs.a2, b: s.outputs.b2 } } }), { defer: true });
  g.addNode("out", (s: Skew) => ({ outputs: { out: s.outputs.join } }));
  g.addEdge(START, "in");
  for (const [i, branch] of SKEWED_BRANCHES.entries()) {
    if (subgraphs) {
      const sub = new StateGraph(SkewState) as unknown as SkewGraph;
      for (const [id, backend] of branch) sub.addNode(id, tierNode(pool, id, backend));
      const ids = branch.map(([id]) => id);
      sub.addEdge(START, ids[0] as string);
      for (let k = 1; k < ids.length; k++) sub.addEdge(ids[k - 1] as string, ids[k] as string);
      sub.addEdge(ids[ids.length - 1] as string, END);
      const name = `branch${i}`;
      g.addNode(name, sub.compile());
      g.addEdge("in", name);
      g.addEdge(name, "join");
    } else {
      for (const [id, backend] of branch) g.addNode(id, tierNode(pool, id, backend));
      const ids = ["in", ...branch.map(([id]) => id), "join"];
      for (let k = 1; k < ids.length; k++) g.addEdge(ids[k - 1] as string, ids[k] as string);
    }
  }
  g.addEdge("join", "out");
  g.addEdge("out", END);
  return g.compile(checkpointer ? { checkpointer } : {});
}
