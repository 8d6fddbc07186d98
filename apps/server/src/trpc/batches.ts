/**
 * Batches over tRPC: list, get, cancel, resume and a progress subscription, all on the shared
 * BatchManager (services.batches). Uploads stay on REST (POST /api/pipelines/:id/batches): a batch's
 * inputs are streamed to disk, which a JSON tRPC input cannot do.
 */
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { type BatchEvent, BatchConflictError, BatchNotFoundError } from "../batch/manager.js";
import { notFound, procedure, router } from "./init.js";

const BatchId = z.string().min(1).max(200);

export const batchesRouter = router({
  list: procedure
    .input(z.object({ limit: z.number().int().min(1).max(1000).optional() }).optional())
    .query(({ ctx, input }) => ctx.services.batches.list(input?.limit ?? 100)),
  get: procedure.input(z.object({ id: BatchId })).query(({ ctx, input }) => {
    const b = ctx.services.batches.get(input.id);
    if (!b) throw notFound(`batch "${input.id}"`);
    return b;
  }),
  cancel: procedure.input(z.object({ id: BatchId })).mutation(({ ctx, input }) => {
    const m = ctx.services.batches;
    if (!m.get(input.id)) throw notFound(`batch "${input.id}"`);
    return { batchId: input.id, cancelled: m.cancel(input.id) };
  }),
  resume: procedure.input(z.object({ id: BatchId })).mutation(({ ctx, input }) => {
    try {
      return ctx.services.batches.resume(input.id);
    } catch (err) {
      if (err instanceof BatchNotFoundError) throw notFound(`batch "${input.id}"`);
      if (err instanceof BatchConflictError) throw new TRPCError({ code: "CONFLICT", message: err.message });
      throw err;
    }
  }),
  /** The batch as it is now, then its progress (at most 4 a second), then one `finished`; ends there. */
  progress: procedure.input(z.object({ id: BatchId })).subscription(async function* ({ ctx, input, signal }) {
    const m = ctx.services.batches;
    if (!m.get(input.id)) throw notFound(`batch "${input.id}"`);
    const queue: BatchEvent[] = [];
    let wake: (() => void) | undefined;
    const unsubscribe = m.subscribe(input.id, (e) => {
      // The manager mutates its record in place; send a snapshot.
      queue.push({ type: e.type, batch: structuredClone(e.batch) });
      wake?.();
    });
    const onAbort = () => wake?.();
    signal?.addEventListener("abort", onAbort);
    try {
      const now = m.get(input.id);
      if (!now) throw notFound(`batch "${input.id}"`);
      if (now.status !== "running") {
        yield { type: "finished" as const, batch: structuredClone(now) };
        return;
      }
      yield { type: "progress" as const, batch: structuredClone(now) };
      while (!signal?.aborted) {
        const e = queue.shift();
        if (!e) {
          await new Promise<void>((r) => {
            wake = r;
          });
          wake = undefined;
          continue;
        }
        yield e;
        if (e.type === "finished") return;
      }
    } finally {
      unsubscribe();
      signal?.removeEventListener("abort", onAbort);
    }
  }),
});
