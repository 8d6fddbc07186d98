import type { Pipeline, PipelineEdge } from "./format/schema.js";

export interface IndexedEdge extends PipelineEdge {
  index: number;
}

/** Adjacency over the edges whose endpoints exist; edges to unknown nodes are lint's business. */
export class PipelineGraph {
  readonly ids: Set<string>;
  readonly out = new Map<string, IndexedEdge[]>();
  readonly in = new Map<string, IndexedEdge[]>();

  constructor(pipeline: Pipeline) {
    this.ids = new Set(pipeline.nodes.map((n) => n.id));
    for (const id of this.ids) {
      this.out.set(id, []);
      this.in.set(id, []);
    }
    pipeline.edges.forEach((e, index) => {
      if (!this.ids.has(e.from) || !this.ids.has(e.to)) return;
      const ie = { ...e, index };
      this.out.get(e.from)?.push(ie);
      this.in.get(e.to)?.push(ie);
    });
  }

  outgoing(id: string): IndexedEdge[] {
    return this.out.get(id) ?? [];
  }

  incoming(id: string): IndexedEdge[] {
    return this.in.get(id) ?? [];
  }

  /** Nodes reachable from `start` (inclusive), following edges accepted by `follow`. */
  reachable(start: string, follow: (e: IndexedEdge) => boolean = () => true): Set<string> {
    const seen = new Set<string>([start]);
    const stack = [start];
    while (stack.length) {
      const id = stack.pop() as string;
      for (const e of this.outgoing(id)) {
        if (!follow(e) || seen.has(e.to)) continue;
        seen.add(e.to);
        stack.push(e.to);
      }
    }
    return seen;
  }

  /** Nodes downstream of `start`, including itself. */
  downstream(start: string): Set<string> {
    return this.reachable(start);
  }

  /**
   * Strongly connected components with a cycle (size > 1, or a self-edge), over the edges
   * accepted by `follow`. Iterative Tarjan, so deep graphs cannot overflow the stack.
   */
  cycles(follow: (e: IndexedEdge) => boolean = () => true): string[][] {
    let counter = 0;
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const onStack = new Set<string>();
    const stack: string[] = [];
    const result: string[][] = [];
    for (const root of this.ids) {
      if (index.has(root)) continue;
      const work: Array<{ id: string; edges: IndexedEdge[]; i: number }> = [];
      const push = (id: string) => {
        index.set(id, counter);
        low.set(id, counter);
        counter++;
        stack.push(id);
        onStack.add(id);
        work.push({ id, edges: this.outgoing(id).filter(follow), i: 0 });
      };
      push(root);
      while (work.length) {
        const frame = work[work.length - 1] as { id: string; edges: IndexedEdge[]; i: number };
        if (frame.i < frame.edges.length) {
          const e = frame.edges[frame.i++] as IndexedEdge;
          if (!index.has(e.to)) push(e.to);
          else if (onStack.has(e.to)) low.set(frame.id, Math.min(low.get(frame.id) as number, index.get(e.to) as number));
          continue;
        }
        work.pop();
        const parent = work[work.length - 1];
        if (parent) low.set(parent.id, Math.min(low.get(parent.id) as number, low.get(frame.id) as number));
        if (low.get(frame.id) === index.get(frame.id)) {
          const comp: string[] = [];
          let x: string;
          do {
            x = stack.pop() as string;
            onStack.delete(x);
            comp.push(x);
          } while (x !== frame.id);
          const selfLoop = comp.length === 1 && frame.edges.some((e) => e.to === frame.id);
          if (comp.length > 1 || selfLoop) result.push(comp.reverse());
        }
      }
    }
    return result;
  }
}
