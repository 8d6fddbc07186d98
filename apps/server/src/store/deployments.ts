import { safeJsonParse } from "@braid/engine";
import { type Db, writeTransaction } from "./db.js";

export const TAGS = ["live", "candidate"] as const;
export type Tag = (typeof TAGS)[number];

/** One finished run of live traffic, as the live metrics read it. */
export interface LiveRunRow {
  id: string;
  status: "completed" | "failed";
  startedAt?: number;
  finishedAt: number;
  costUsd: number;
}

/** A critique's verdict in a run (the run's last `loop_iteration` with a verdict for that node). */
export interface CritiqueVerdict {
  runId: string;
  nodeId: string;
  passed: boolean;
  exhausted: boolean;
}

/** One online evaluator's result on one live run (see optimizer/online.ts). */
export interface OnlineScore {
  runId: string;
  pipelineId: string;
  version: number;
  evaluator: string;
  /** The evaluator's `weight` (default 1), kept so a run's weighted score needs no pipeline document. */
  weight: number;
  score: number;
  pass: boolean;
  /** Set when the evaluator could not run (a judge that failed, say). */
  error?: string;
  at: number;
}

/**
 * Version tags and deployment policies per pipeline, and the reads over live-traffic runs that
 * the optimizer measures. Policies are stored as validated JSON; this store does not check them.
 */
export interface DeploymentStore {
  tags(pipelineId: string): Promise<Partial<Record<Tag, number>>>;
  setTag(pipelineId: string, tag: Tag, version: number): Promise<void>;
  /** False when the tag was not set. */
  clearTag(pipelineId: string, tag: Tag): Promise<boolean>;
  policy(pipelineId: string): Promise<unknown>;
  setPolicy(pipelineId: string, policy: unknown): Promise<void>;
  /** Pipelines with a stored policy. */
  policyPipelines(): Promise<string[]>;
  /** Finished live-traffic runs of one version, newest first: at most `limit`, none finished before `since`. */
  liveRuns(pipelineId: string, version: number, window: { since: number; limit: number }): Promise<LiveRunRow[]>;
  critiqueVerdicts(runIds: string[]): Promise<CritiqueVerdict[]>;
  /** USD spent by live-traffic runs of the pipeline (every version) finished since `since`. */
  spendSince(pipelineId: string, since: number): Promise<number>;
  /** Stores a run's online results; a result already stored for that run and evaluator is kept, so a second evaluation changes nothing. */
  saveOnlineScores(scores: readonly OnlineScore[]): Promise<void>;
  hasOnlineScores(runId: string): Promise<boolean>;
  onlineScores(runIds: readonly string[]): Promise<OnlineScore[]>;
}

// Row shapes and mapping shared with the PostgreSQL store (pg/deployments.ts): both schemas have the same columns.
export type LiveRunDbRow = { id: string; status: "completed" | "failed"; started_at: number | null; finished_at: number; cost_usd: number };
export const toLiveRun = (r: LiveRunDbRow): LiveRunRow => ({
  id: r.id,
  status: r.status,
  finishedAt: r.finished_at,
  costUsd: r.cost_usd,
  ...(r.started_at !== null ? { startedAt: r.started_at } : {}),
});

export type LoopEventRow = { run_id: string; node_id: string; data: string };
/** One run's verdicts from its `loop_iteration` events in `seq` order: the last per node, in the order the nodes first appear. */
export function lastVerdicts(events: readonly LoopEventRow[]): CritiqueVerdict[] {
  const last = new Map<string, CritiqueVerdict>();
  for (const r of events) {
    const e = safeJsonParse(r.data) as { passed: boolean; branch?: string };
    last.set(r.node_id, { runId: r.run_id, nodeId: r.node_id, passed: e.passed === true, exhausted: e.branch === "exhausted" });
  }
  return [...last.values()];
}

export const ONLINE_SCORE_COLUMNS = "run_id, evaluator, pipeline_id, pipeline_version, weight, score, pass, error, at";
/** A score's stored columns, in `ONLINE_SCORE_COLUMNS` order. */
export const onlineScoreValues = (s: OnlineScore) => [s.runId, s.evaluator, s.pipelineId, s.version, s.weight, s.score, s.pass ? 1 : 0, s.error ?? null, s.at];

export type OnlineScoreRow = {
  run_id: string;
  evaluator: string;
  pipeline_id: string;
  pipeline_version: number;
  weight: number;
  score: number;
  pass: number;
  error: string | null;
  at: number;
};
export const toOnlineScore = (r: OnlineScoreRow): OnlineScore => ({
  runId: r.run_id,
  pipelineId: r.pipeline_id,
  version: r.pipeline_version,
  evaluator: r.evaluator,
  weight: r.weight,
  score: r.score,
  pass: r.pass === 1,
  ...(r.error !== null ? { error: r.error } : {}),
  at: r.at,
});

export class SqliteDeploymentStore implements DeploymentStore {
  // Read on every REST run (the traffic split): prepared once.
  private readonly tagsStmt;
  private readonly policyStmt;

  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.tagsStmt = db.prepare("SELECT tag, version FROM pipeline_tags WHERE pipeline_id = ?");
    this.policyStmt = db.prepare("SELECT policy FROM deployment_policies WHERE pipeline_id = ?");
  }

  async tags(pipelineId: string): Promise<Partial<Record<Tag, number>>> {
    const rows = this.tagsStmt.all(pipelineId) as Array<{ tag: Tag; version: number }>;
    return Object.fromEntries(rows.map((r) => [r.tag, r.version]));
  }

  async setTag(pipelineId: string, tag: Tag, version: number): Promise<void> {
    this.db
      .prepare(
        "INSERT INTO pipeline_tags (pipeline_id, tag, version, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (pipeline_id, tag) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at",
      )
      .run(pipelineId, tag, version, this.now());
  }

  async clearTag(pipelineId: string, tag: Tag): Promise<boolean> {
    return this.db.prepare("DELETE FROM pipeline_tags WHERE pipeline_id = ? AND tag = ?").run(pipelineId, tag).changes > 0;
  }

  async policy(pipelineId: string): Promise<unknown> {
    const row = this.policyStmt.get(pipelineId) as { policy: string } | undefined;
    return row ? safeJsonParse(row.policy) : undefined;
  }

  async setPolicy(pipelineId: string, policy: unknown): Promise<void> {
    this.db
      .prepare(
        "INSERT INTO deployment_policies (pipeline_id, policy, updated_at) VALUES (?, ?, ?) ON CONFLICT (pipeline_id) DO UPDATE SET policy = excluded.policy, updated_at = excluded.updated_at",
      )
      .run(pipelineId, JSON.stringify(policy), this.now());
  }

  async policyPipelines(): Promise<string[]> {
    return (this.db.prepare("SELECT pipeline_id FROM deployment_policies ORDER BY pipeline_id").all() as Array<{ pipeline_id: string }>).map(
      (r) => r.pipeline_id,
    );
  }

  async liveRuns(pipelineId: string, version: number, window: { since: number; limit: number }): Promise<LiveRunRow[]> {
    // Only REST traffic carries `options.traffic`: editor runs, experiments and batches of the same version are not live traffic.
    const rows = this.db
      .prepare(
        `SELECT id, status, started_at, finished_at, cost_usd FROM runs
         WHERE pipeline_id = ? AND pipeline_version = ? AND status IN ('completed', 'failed') AND finished_at >= ?
           AND json_extract(options, '$.traffic') IS NOT NULL
         ORDER BY finished_at DESC LIMIT ?`,
      )
      .all(pipelineId, version, window.since, window.limit) as LiveRunDbRow[];
    return rows.map(toLiveRun);
  }

  async critiqueVerdicts(runIds: string[]): Promise<CritiqueVerdict[]> {
    if (runIds.length === 0) return [];
    const out: CritiqueVerdict[] = [];
    const stmt = this.db.prepare(
      `SELECT run_id, node_id, data FROM run_events WHERE run_id = ? AND type = 'loop_iteration' AND json_extract(data, '$.passed') IS NOT NULL ORDER BY seq`,
    );
    for (const id of runIds) out.push(...lastVerdicts(stmt.all(id) as LoopEventRow[]));
    return out;
  }

  async spendSince(pipelineId: string, since: number): Promise<number> {
    const row = this.db
      .prepare(
        "SELECT COALESCE(SUM(cost_usd), 0) AS usd FROM runs WHERE pipeline_id = ? AND finished_at >= ? AND json_extract(options, '$.traffic') IS NOT NULL",
      )
      .get(pipelineId, since) as { usd: number };
    return row.usd;
  }

  async saveOnlineScores(scores: readonly OnlineScore[]): Promise<void> {
    const stmt = this.db.prepare(
      `INSERT INTO online_scores (${ONLINE_SCORE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, evaluator) DO NOTHING`,
    );
    writeTransaction(this.db, () => {
      for (const s of scores) stmt.run(...onlineScoreValues(s));
    });
  }

  async hasOnlineScores(runId: string): Promise<boolean> {
    return this.db.prepare("SELECT 1 FROM online_scores WHERE run_id = ? LIMIT 1").get(runId) !== undefined;
  }

  async onlineScores(runIds: readonly string[]): Promise<OnlineScore[]> {
    if (runIds.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT ${ONLINE_SCORE_COLUMNS} FROM online_scores
         WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY run_id, evaluator`,
      )
      .all(JSON.stringify(runIds)) as OnlineScoreRow[];
    return rows.map(toOnlineScore);
  }
}
