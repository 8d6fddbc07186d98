import { type RunEvent, type RunStatus, type Usage, safeJsonParse } from "@braid/engine";
import {
  type RunRecord,
  type RunRow,
  type RunRowEffect,
  type RunStore,
  type RunSummaryRecord,
  type StoredEvent,
  fromRow,
  RUN_INSERT_COLUMNS,
  runListLimit,
  runRowEffect,
  runValues,
} from "../runs.js";
import type { SqlStatement } from "../checkpoints.js";
import { type Pg, row, rows, transaction } from "./db.js";
import { fromPgText, fromPgTextOrNull, pgLimit, toPgText } from "./sql.js";

type Item = { runId: string; event: RunEvent };

/** What one batch does to one run's row: the effects of its events folded in order. */
interface Patch {
  status?: RunStatus;
  finish?: Extract<RunRowEffect, { kind: "finish" }>;
  /** Set once the batch finishes the run: the totals are then known here exactly. */
  usage?: Usage;
  /** Usage added before any finish, each applied in SQL in turn (float sums depend on their order). */
  deltas: Usage[];
}

const addUsage = (a: Usage, b: Usage): Usage => ({
  inputTokens: a.inputTokens + b.inputTokens,
  outputTokens: a.outputTokens + b.outputTokens,
  costUsd: a.costUsd + b.costUsd,
});

function fold(p: Patch, e: RunRowEffect): void {
  if (e.kind === "finish") {
    p.status = e.status;
    p.finish = e;
    p.usage = { ...e.usage };
    p.deltas = [];
  } else if (e.kind === "status") p.status = e.status;
  else if (p.usage) p.usage = addUsage(p.usage, e.usage);
  else p.deltas.push(e.usage);
}

const decodeRun = (r: RunRow): RunRow => ({
  ...r,
  id: fromPgText(r.id),
  pipeline_id: fromPgTextOrNull(r.pipeline_id),
  parent_run_id: fromPgTextOrNull(r.parent_run_id),
  from_node: fromPgTextOrNull(r.from_node),
});

/**
 * PostgreSQL's JSON operators unescape every string of a document, and fail on \u0000 or a lone
 * surrogate's escape anywhere in it (a node label, not just the name): such a document comes back
 * whole for the name to be read here. The rest give their name as JSON text, parsed here.
 */
const ESCAPES_PG_REFUSES = "strpos(pipeline_doc, '\\u0000') > 0 OR strpos(pipeline_doc, '\\ud') > 0";
const SUMMARY_COLUMNS = `id, pipeline_id, pipeline_version, CASE WHEN ${ESCAPES_PG_REFUSES} THEN pipeline_doc ELSE '' END AS pipeline_doc,
  CASE WHEN ${ESCAPES_PG_REFUSES} THEN NULL ELSE (pipeline_doc::json -> 'name')::text END AS pipeline_name,
  input, seed, status, options, created_at, started_at, finished_at, input_tokens, output_tokens, cost_usd, output, error, parent_run_id, from_node`;

const summaryName = (r: RunRow): string | null => {
  if (r.pipeline_doc !== "") return (safeJsonParse(r.pipeline_doc) as { name?: string }).name ?? null;
  return r.pipeline_name == null ? null : (JSON.parse(r.pipeline_name) as string);
};

const INSERT_EVENTS =
  "INSERT INTO run_events (run_id, seq, type, node_id, at, data) SELECT * FROM unnest($1::text[], $2::integer[], $3::text[], $4::text[], $5::bigint[], $6::text[])";
const UPDATE_RUNS = `UPDATE runs AS r SET
    status = COALESCE(u.status, r.status),
    finished_at = CASE WHEN u.finished THEN u.finished_at ELSE r.finished_at END,
    output = CASE WHEN u.finished THEN u.output ELSE r.output END,
    error = CASE WHEN u.finished THEN u.error ELSE r.error END,
    input_tokens = CASE WHEN u.finished THEN u.input_tokens ELSE r.input_tokens + u.input_tokens END,
    output_tokens = CASE WHEN u.finished THEN u.output_tokens ELSE r.output_tokens + u.output_tokens END,
    cost_usd = CASE WHEN u.finished THEN u.cost_usd ELSE r.cost_usd + u.cost_usd END
  FROM unnest($7::text[], $8::text[], $9::boolean[], $10::bigint[], $11::text[], $12::text[], $13::bigint[], $14::bigint[], $15::float8[])
    AS u(id, status, finished, finished_at, output, error, input_tokens, output_tokens, cost_usd)
  WHERE r.id = u.id`;
const ADD_USAGE = `UPDATE runs AS r SET input_tokens = r.input_tokens + u.i, output_tokens = r.output_tokens + u.o, cost_usd = r.cost_usd + u.c
  FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::float8[]) AS u(id, i, o, c) WHERE r.id = u.id`;

export class PgRunStore implements RunStore {
  private readonly seqs = new Map<string, number>();
  /** Each run's last queued write: the next write for that run starts once it has settled. */
  private readonly tails = new Map<string, Promise<unknown>>();

  constructor(private readonly pool: Pg) {}

  /**
   * Writes for one run happen in call order even when callers do not await them, as they do in
   * SQLite, where each call completes before it returns.
   */
  private queue<T>(runIds: Iterable<string>, write: () => Promise<T>): Promise<T> {
    const ids = [...new Set(runIds)];
    const before = ids.flatMap((id) => this.tails.get(id) ?? []);
    const done = before.length ? Promise.all(before).then(write) : write();
    const tail = done.catch(() => {});
    for (const id of ids) this.tails.set(id, tail);
    void tail.then(() => {
      for (const id of ids) if (this.tails.get(id) === tail) this.tails.delete(id);
    });
    return done;
  }

  /** Reads see the writes called before them, as in SQLite. */
  private async settled(runId?: string): Promise<void> {
    if (runId === undefined) await Promise.all(this.tails.values());
    else await this.tails.get(runId);
  }

  async create(run: Omit<RunRecord, "usage" | "status"> & { status?: RunStatus }): Promise<void> {
    return this.queue([run.id], async () => {
      // JSON text never holds what the codec marks, so every string may pass through it.
      await this.pool.query(
        `INSERT INTO runs (${RUN_INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        runValues(run).map((v) => (typeof v === "string" ? toPgText(v) : v)),
      );
      this.seqs.set(run.id, 0);
    });
  }

  async get(id: string): Promise<RunRecord | undefined> {
    await this.settled(id);
    const r = await row<RunRow>(this.pool, "SELECT * FROM runs WHERE id = $1", [toPgText(id)]);
    return r ? fromRow(decodeRun(r), true) : undefined;
  }

  async list(filter: { pipelineId?: string; status?: RunStatus; limit?: number } = {}): Promise<RunSummaryRecord[]> {
    await this.settled();
    const where: string[] = [];
    const args: unknown[] = [];
    // As SQLite's whereClause: an undefined or empty filter is no filter.
    if (filter.pipelineId !== undefined && filter.pipelineId !== "") where.push(`pipeline_id = $${args.push(toPgText(filter.pipelineId))}`);
    if (filter.status !== undefined && (filter.status as string) !== "") where.push(`status = $${args.push(filter.status)}`);
    const limit = `$${args.push(pgLimit(runListLimit(filter.limit)))}`;
    const sql = `SELECT ${SUMMARY_COLUMNS} FROM runs ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at DESC LIMIT ${limit}`;
    return (await rows<RunRow>(this.pool, sql, args)).map((r) => fromRow({ ...decodeRun(r), pipeline_doc: "", pipeline_name: summaryName(r) }, false));
  }

  async markStarted(id: string, at: number): Promise<void> {
    return this.queue([id], async () => {
      await this.pool.query("UPDATE runs SET status = 'running', started_at = COALESCE(started_at, $1) WHERE id = $2", [at, toPgText(id)]);
    });
  }

  async setStatus(id: string, status: RunStatus): Promise<void> {
    return this.queue([id], async () => {
      await this.pool.query("UPDATE runs SET status = $1 WHERE id = $2", [status, toPgText(id)]);
    });
  }

  async lastSeq(runId: string): Promise<number> {
    await this.settled(runId);
    return (await this.seqsOf([runId])).get(runId) as number;
  }

  /** The last seq of each run: from what this process wrote, else one query for all the others. */
  private async seqsOf(runIds: string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const unknown: string[] = [];
    for (const id of runIds) {
      const cached = this.seqs.get(id);
      if (cached === undefined) unknown.push(id);
      else out.set(id, cached);
    }
    if (unknown.length > 0) {
      const found = await rows<{ run_id: string; seq: number }>(
        this.pool,
        "SELECT run_id, MAX(seq) AS seq FROM run_events WHERE run_id = ANY($1::text[]) GROUP BY run_id",
        [unknown.map(toPgText)],
      );
      const byId = new Map(found.map((r) => [fromPgText(r.run_id), r.seq]));
      for (const id of unknown) {
        const seq = byId.get(id) ?? 0;
        this.seqs.set(id, seq);
        out.set(id, seq);
      }
    }
    return out;
  }

  async forgetSeq(runId: string): Promise<void> {
    return this.queue([runId], async () => {
      this.seqs.delete(runId);
    });
  }

  async append(runId: string, event: RunEvent): Promise<number> {
    return (await this.appendBatch([{ runId, event }]))[0] as number;
  }

  /** All the events in one statement (or one transaction, with usage rounds or checkpoint writes), whatever their number. */
  async appendBatch(items: ReadonlyArray<Item>, checkpointWrites: ReadonlyArray<SqlStatement> = []): Promise<number[]> {
    if (items.length === 0 && checkpointWrites.length === 0) return [];
    const batch = [...items];
    const writes = [...checkpointWrites];
    return this.queue(
      batch.map((i) => i.runId),
      () => (batch.length > 0 ? this.write(batch, writes) : this.checkpointOnly(writes)),
    );
  }

  private async checkpointOnly(writes: SqlStatement[]): Promise<number[]> {
    await transaction(this.pool, (c) => executeAll(c, writes));
    return [];
  }

  private async write(items: Item[], checkpointWrites: SqlStatement[]): Promise<number[]> {
    const next = await this.seqsOf([...new Set(items.map((i) => i.runId))]);
    const seqs: number[] = [];
    const ev = { run: [] as string[], seq: [] as number[], type: [] as string[], node: [] as Array<string | null>, at: [] as number[], data: [] as string[] };
    const patches = new Map<string, Patch>();
    const finishedLast = new Map<string, boolean>();
    for (const { runId, event } of items) {
      const seq = (next.get(runId) as number) + 1;
      next.set(runId, seq);
      seqs.push(seq);
      ev.run.push(toPgText(runId));
      ev.seq.push(seq);
      ev.type.push(event.type);
      ev.node.push("nodeId" in event && typeof event.nodeId === "string" ? toPgText(event.nodeId) : null);
      ev.at.push(event.at);
      ev.data.push(JSON.stringify(event));
      const effect = runRowEffect(event);
      finishedLast.set(runId, effect?.kind === "finish");
      if (!effect) continue;
      let p = patches.get(runId);
      if (!p) patches.set(runId, (p = { deltas: [] }));
      fold(p, effect);
    }
    const args: unknown[] = [ev.run, ev.seq, ev.type, ev.node, ev.at, ev.data];
    // Later rounds add the second, third… usage of a run that this batch did not finish.
    const rounds: Array<Array<[string, Usage]>> = [];
    if (patches.size > 0) {
      const u = { id: [] as string[], status: [] as Array<string | null>, finished: [] as boolean[], at: [] as Array<number | null> };
      const out = { output: [] as Array<string | null>, error: [] as Array<string | null>, i: [] as number[], o: [] as number[], c: [] as number[] };
      for (const [runId, p] of patches) {
        const usage = p.usage ?? p.deltas[0] ?? { inputTokens: 0, outputTokens: 0, costUsd: 0 };
        u.id.push(toPgText(runId));
        u.status.push(p.status ?? null);
        u.finished.push(p.finish !== undefined);
        u.at.push(p.finish?.at ?? null);
        out.output.push(p.finish?.output ?? null);
        out.error.push(p.finish?.error ?? null);
        out.i.push(usage.inputTokens);
        out.o.push(usage.outputTokens);
        out.c.push(usage.costUsd);
        p.deltas.slice(1).forEach((d, k) => {
          rounds[k] ??= [];
          rounds[k].push([runId, d]);
        });
      }
      args.push(u.id, u.status, u.finished, u.at, out.output, out.error, out.i, out.o, out.c);
    }
    const first = patches.size > 0 ? `WITH inserted AS (${INSERT_EVENTS}) ${UPDATE_RUNS}` : INSERT_EVENTS;
    // One statement is atomic on its own: the common batch costs one round trip and no BEGIN/COMMIT.
    if (rounds.length === 0 && checkpointWrites.length === 0) await this.pool.query(first, args);
    else
      await transaction(this.pool, async (c) => {
        await c.query(first, args);
        for (const round of rounds)
          await c.query(ADD_USAGE, [
            round.map(([id]) => toPgText(id)),
            round.map(([, d]) => d.inputTokens),
            round.map(([, d]) => d.outputTokens),
            round.map(([, d]) => d.costUsd),
          ]);
        await executeAll(c, checkpointWrites);
      });
    // Only once committed, and as SQLite's store does: a finished run is forgotten, else its last seq kept.
    for (const [runId, finished] of finishedLast) {
      if (finished) this.seqs.delete(runId);
      else this.seqs.set(runId, next.get(runId) as number);
    }
    return seqs;
  }

  async events(runId: string, afterSeq = 0, limit = 100_000): Promise<StoredEvent[]> {
    await this.settled(runId);
    // SQLite compares seq with any number; PostgreSQL's INTEGER parameter takes integers only.
    if (Number.isNaN(afterSeq) || afterSeq >= 2 ** 31) return [];
    const after = Math.max(-1, Math.floor(afterSeq));
    const found = await rows<{ seq: number; data: string }>(
      this.pool,
      "SELECT seq, data FROM run_events WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
      [toPgText(runId), after, pgLimit(limit)],
    );
    return found.map((r) => ({ seq: r.seq, event: safeJsonParse(r.data) as RunEvent }));
  }

  async unfinished(): Promise<RunRecord[]> {
    await this.settled();
    return (await rows<RunRow>(this.pool, "SELECT * FROM runs WHERE status IN ('queued', 'running') ORDER BY created_at")).map((r) =>
      fromRow(decodeRun(r), true),
    );
  }
}

/** A journaling saver's statements, in order, on the transaction's connection. */
async function executeAll(c: { query(sql: string, params: unknown[]): Promise<unknown> }, statements: SqlStatement[]): Promise<void> {
  for (const s of statements) await c.query(s.sql, s.params);
}
