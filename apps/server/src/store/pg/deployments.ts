import { safeJsonParse } from "@braid/engine";
import {
  type CritiqueVerdict,
  type DeploymentStore,
  type LiveRunDbRow,
  type LiveRunRow,
  type LoopEventRow,
  ONLINE_SCORE_COLUMNS,
  type OnlineScore,
  type OnlineScoreRow,
  type Tag,
  lastVerdicts,
  onlineScoreValues,
  toLiveRun,
  toOnlineScore,
} from "../deployments.js";
import { pgLimit, pgRow, pgRows, pgRun } from "./sql.js";
import { type Pg, transaction } from "./db.js";

/*
 * SQLite's `json_extract(doc, '$.key') IS NOT NULL`: the key is there and not JSON null. PostgreSQL's
 * json parser refuses a whole document over one \u0000 or lone-surrogate escape anywhere in it, and
 * a run's events carry model output that may hold either. Rewriting every \uXXXX escape to plain
 * "uuXXXX" first (while \\ stays, matched left to right as JSON reads escapes) leaves the document
 * valid with its structure unchanged; only the key's type is looked at.
 */
const hasKey = (column: string, key: string) => String.raw`json_typeof(regexp_replace(${column}, '\\(\\|u)', '\1\1', 'g')::json -> '${key}') <> 'null'`;

/**
 * SQLite's ORDER BY on text: its bytes (UTF-8), whatever the database's locale. Sorted here, not in
 * SQL, because a marked text (a NUL in it, see pg/audit.ts) is stored in another form.
 */
const binary = (a: string, b: string): number => (a === b ? 0 : Buffer.compare(Buffer.from(a), Buffer.from(b)));

/** Version tags, policies, online scores and the reads over live runs in PostgreSQL; the same rules as SqliteDeploymentStore (store/deployments.ts). */
export class PgDeploymentStore implements DeploymentStore {
  constructor(
    private readonly pool: Pg,
    private readonly now: () => number = Date.now,
  ) {}

  async tags(pipelineId: string): Promise<Partial<Record<Tag, number>>> {
    // In key order, as SQLite reads its (pipeline_id, tag) primary key: the same JSON out.
    const rows = await pgRows<{ tag: Tag; version: number }>(
      this.pool,
      'SELECT tag, version FROM pipeline_tags WHERE pipeline_id = $1 ORDER BY tag COLLATE "C"',
      [pipelineId],
    );
    return Object.fromEntries(rows.map((r) => [r.tag, r.version]));
  }

  async setTag(pipelineId: string, tag: Tag, version: number): Promise<void> {
    await pgRun(
      this.pool,
      "INSERT INTO pipeline_tags (pipeline_id, tag, version, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (pipeline_id, tag) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at",
      [pipelineId, tag, version, this.now()],
    );
  }

  async clearTag(pipelineId: string, tag: Tag): Promise<boolean> {
    return (await pgRun(this.pool, "DELETE FROM pipeline_tags WHERE pipeline_id = $1 AND tag = $2", [pipelineId, tag])) > 0;
  }

  async policy(pipelineId: string): Promise<unknown> {
    const r = await pgRow<{ policy: string }>(this.pool, "SELECT policy FROM deployment_policies WHERE pipeline_id = $1", [pipelineId]);
    return r ? safeJsonParse(r.policy) : undefined;
  }

  async setPolicy(pipelineId: string, policy: unknown): Promise<void> {
    await pgRun(
      this.pool,
      "INSERT INTO deployment_policies (pipeline_id, policy, updated_at) VALUES ($1, $2, $3) ON CONFLICT (pipeline_id) DO UPDATE SET policy = excluded.policy, updated_at = excluded.updated_at",
      [pipelineId, JSON.stringify(policy), this.now()],
    );
  }

  async policyPipelines(): Promise<string[]> {
    const rows = await pgRows<{ pipeline_id: string }>(this.pool, "SELECT pipeline_id FROM deployment_policies");
    return rows.map((r) => r.pipeline_id).sort(binary);
  }

  async liveRuns(pipelineId: string, version: number, window: { since: number; limit: number }): Promise<LiveRunRow[]> {
    // Only REST traffic carries `options.traffic`: editor runs, experiments and batches of the same version are not live traffic.
    const rows = await pgRows<LiveRunDbRow>(
      this.pool,
      `SELECT id, status, started_at, finished_at, cost_usd FROM runs
       WHERE pipeline_id = $1 AND pipeline_version = $2 AND status IN ('completed', 'failed') AND finished_at >= $3 AND ${hasKey("options", "traffic")}
       ORDER BY finished_at DESC LIMIT $4`,
      [pipelineId, version, window.since, pgLimit(window.limit)],
    );
    return rows.map(toLiveRun);
  }

  async critiqueVerdicts(runIds: string[]): Promise<CritiqueVerdict[]> {
    if (runIds.length === 0) return [];
    // One query for every run, then per run in the order asked (a run asked twice answers twice, as in SQLite).
    const events = await pgRows<LoopEventRow>(
      this.pool,
      `SELECT run_id, node_id, data FROM run_events WHERE run_id = ANY($1::text[]) AND type = 'loop_iteration' AND ${hasKey("data", "passed")} ORDER BY run_id, seq`,
      [runIds],
    );
    const byRun = new Map<string, LoopEventRow[]>();
    for (const e of events) {
      const list = byRun.get(e.run_id);
      if (list) list.push(e);
      else byRun.set(e.run_id, [e]);
    }
    return runIds.flatMap((id) => lastVerdicts(byRun.get(id) ?? []));
  }

  async spendSince(pipelineId: string, since: number): Promise<number> {
    // SQLite's SUM is compensated (0.1 + 0.2 + 0.3 = 0.6); a plain float8 SUM is not (0.6000000000000001).
    // Summing the shortest decimal form of each cost exactly gives SQLite's result.
    const r = await pgRow<{ usd: number }>(
      this.pool,
      `SELECT COALESCE(SUM(cost_usd::text::numeric), 0)::float8 AS usd FROM runs WHERE pipeline_id = $1 AND finished_at >= $2 AND ${hasKey("options", "traffic")}`,
      [pipelineId, since],
    );
    return (r as { usd: number }).usd;
  }

  async saveOnlineScores(scores: readonly OnlineScore[]): Promise<void> {
    if (scores.length === 0) return;
    await transaction(this.pool, async (c) => {
      for (const s of scores)
        await pgRun(
          c,
          `INSERT INTO online_scores (${ONLINE_SCORE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (run_id, evaluator) DO NOTHING`,
          onlineScoreValues(s),
        );
    });
  }

  async hasOnlineScores(runId: string): Promise<boolean> {
    return (await pgRun(this.pool, "SELECT 1 FROM online_scores WHERE run_id = $1 LIMIT 1", [runId])) > 0;
  }

  async onlineScores(runIds: readonly string[]): Promise<OnlineScore[]> {
    if (runIds.length === 0) return [];
    const rows = await pgRows<OnlineScoreRow>(this.pool, `SELECT ${ONLINE_SCORE_COLUMNS} FROM online_scores WHERE run_id = ANY($1::text[])`, [[...runIds]]);
    return rows.sort((a, b) => binary(a.run_id, b.run_id) || binary(a.evaluator, b.evaluator)).map(toOnlineScore);
  }
}
