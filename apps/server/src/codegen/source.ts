/**
 * Writing TypeScript source safely: every user string (ids, labels, prompts, conditions) goes
 * through `lit`, so no text from a pipeline can end a string or a comment in the generated code.
 */

/** A JSON value as a TypeScript literal. JSON.stringify leaves U+2028/U+2029 raw, which would end a `//` comment. */
export function lit(value: unknown): string {
  return (JSON.stringify(value) ?? "undefined").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** A one-line comment that quotes user text as a literal (newlines and quotes escaped). */
export const comment = (text: string): string => `// ${text.replace(/[\r\n\u2028\u2029]+/g, " ")}`;

/** What a kind's emitter gets: the node, its parsed config and its place in the graph. */
export interface EmitNode<C = Record<string, unknown>> {
  id: string;
  kind: string;
  label: string | undefined;
  config: C;
  /** Source node ids of the incoming edges, in edge order (what a merge combines). */
  incoming: string[];
}

/** A kind's emitter: the body of its node function, and notes for the wiring in graph.ts. */
export interface KindEmitter {
  /** Statements of `async (state: RunState): Promise<Update>`; `view` (the state view) and `ID` are in scope. */
  body(node: EmitNode<any>): string[];
  /** Comment lines for graph.ts next to this node's edges (loop bounds, route conditions). */
  wiring?(node: EmitNode<any>): string[];
}

/** Indents a block of lines. */
export const indent = (lines: string[], by = "  "): string[] => lines.map((l) => (l === "" ? l : `${by}${l}`));
