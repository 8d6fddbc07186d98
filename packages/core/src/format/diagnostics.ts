import type { ErrorCode } from "../errors.js";

export type Severity = "error" | "warning";

export interface Diagnostic {
  code: ErrorCode;
  severity: Severity;
  message: string;
  nodeId?: string;
  edgeIndex?: number;
  /** JSON path into the document, e.g. `nodes[2].config.prompt`. */
  path?: string;
}

export const hasErrors = (ds: readonly Diagnostic[]): boolean => ds.some((d) => d.severity === "error");

export function formatDiagnostic(d: Diagnostic, file?: string): string {
  const where = [file, d.nodeId ? `node "${d.nodeId}"` : undefined, d.edgeIndex !== undefined ? `edge #${d.edgeIndex}` : undefined].filter(Boolean).join(", ");
  return `${d.severity} ${d.code}${where ? ` (${where})` : ""}: ${d.message}`;
}
