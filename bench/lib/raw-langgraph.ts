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
