import type { AppRouter } from "@braid/server/router";
import { TRPCClientError, createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import type { Diagnostic } from "@braid/core";

/** The one tRPC client: queries and mutations batched over HTTP, run events over SSE. */
export const api = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === "subscription",
      true: httpSubscriptionLink({ url: "/trpc" }),
      false: httpBatchLink({ url: "/trpc" }),
    }),
  ],
});

export interface ApiProblem {
  /** True when the server could not be reached at all (no HTTP answer). */
  offline: boolean;
  message: string;
  braidCode?: string;
  diagnostics?: Diagnostic[];
}

/** Reads a thrown tRPC error into what the UI shows. */
export function describeError(err: unknown): ApiProblem {
  if (err instanceof TRPCClientError) {
    const data = err.data as { braidCode?: string; diagnostics?: Diagnostic[]; httpStatus?: number } | undefined | null;
    if (!data) return { offline: true, message: "The Braid server cannot be reached." };
    const p: ApiProblem = { offline: false, message: err.message };
    if (data.braidCode) p.braidCode = data.braidCode;
    if (Array.isArray(data.diagnostics)) p.diagnostics = data.diagnostics;
    return p;
  }
  if (err instanceof TypeError) return { offline: true, message: "The Braid server cannot be reached." };
  return { offline: false, message: err instanceof Error ? err.message : String(err) };
}

export type BackendView = Awaited<ReturnType<typeof api.backends.list.query>>[number];
export type PipelineSummary = Awaited<ReturnType<typeof api.pipelines.list.query>>[number];
export type PipelineVersion = Awaited<ReturnType<typeof api.pipelines.versions.query>>[number];
export type TemplateSummary = Awaited<ReturnType<typeof api.templates.list.query>>[number];
