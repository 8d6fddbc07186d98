import { BraidError, PipelineInvalidError, jsonDepth } from "@braid/engine";
import { TRPCError, initTRPC } from "@trpc/server";
import { ZodError } from "zod";
import { QueueUnavailableError } from "../queue/redis.js";
import { QueueFullError, ShuttingDownError } from "../runs/manager.js";
import type { Services } from "../services.js";

export interface Context {
  services: Services;
  authed: boolean;
  /** The token's name (BRAID_TOKENS), or `local` when the server has no token. */
  actor?: string;
}

const t = initTRPC.context<Context>().create({
  // Idle proxies cut silent streams; a ping every 15 s keeps run event subscriptions open.
  sse: { ping: { enabled: true, intervalMs: 15_000 }, client: { reconnectAfterInactivityMs: 40_000 } },
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    // An input that fails its schema reads as "field: problem" lines, not a JSON dump of zod issues.
    const invalid = cause instanceof ZodError;
    return {
      ...shape,
      ...(invalid ? { message: describeIssues(cause) } : {}),
      data: {
        ...shape.data,
        stack: undefined,
        braidCode: cause instanceof BraidError ? cause.code : invalid ? "E_BAD_REQUEST" : undefined,
        nodeId: cause instanceof BraidError ? cause.nodeId : undefined,
        diagnostics: cause instanceof PipelineInvalidError ? cause.diagnostics : undefined,
      },
    };
  },
});

export const router = t.router;

function describeIssues(err: ZodError): string {
  const lines = err.issues.slice(0, 10).map((i) => `${i.path.length ? i.path.map(String).join(".") : "input"}: ${i.message}`);
  if (err.issues.length > 10) lines.push(`… and ${err.issues.length - 10} more`);
  return lines.join("; ");
}

/** Every procedure requires the token when one is configured; there is no public procedure. */
export const procedure = t.procedure.use(async ({ ctx, next, getRawInput }) => {
  if (!ctx.authed) throw new TRPCError({ code: "UNAUTHORIZED", message: "a valid BRAID_TOKEN is required" });
  // Before any input parser runs: zod and the pipeline parser recurse, and 5,000 levels overflow the stack.
  const limit = ctx.services.config.maxJsonDepth;
  if (jsonDepth(await getRawInput(), limit) > limit) {
    const cause = new BraidError("E_TOO_DEEP", `the input nests deeper than ${limit} levels (BRAID_MAX_JSON_DEPTH)`);
    throw new TRPCError({ code: "BAD_REQUEST", message: cause.message, cause });
  }
  const result = await next();
  // tRPC wraps anything a resolver throws as INTERNAL_SERVER_ERROR; give domain errors their real code.
  if (!result.ok && result.error.code === "INTERNAL_SERVER_ERROR" && result.error.cause) {
    const mapped = toTrpcError(result.error.cause);
    if (mapped instanceof TRPCError) throw mapped;
  }
  return result;
});

/** Maps domain errors to tRPC codes, keeping the Braid code in `data.braidCode`. */
export function toTrpcError(err: unknown): unknown {
  if (err instanceof TRPCError) return err;
  if (err instanceof PipelineInvalidError) return new TRPCError({ code: "BAD_REQUEST", message: err.message, cause: err });
  if (err instanceof BraidError)
    return new TRPCError({ code: err.code === "E_INTERNAL" ? "INTERNAL_SERVER_ERROR" : "BAD_REQUEST", message: err.message, cause: err });
  if (err instanceof QueueFullError) return new TRPCError({ code: "TOO_MANY_REQUESTS", message: err.message });
  if (err instanceof ShuttingDownError || err instanceof QueueUnavailableError) return new TRPCError({ code: "SERVICE_UNAVAILABLE", message: err.message });
  return err;
}

export const notFound = (what: string) => new TRPCError({ code: "NOT_FOUND", message: `${what} not found` });
