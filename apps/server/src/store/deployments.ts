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
  tags(pipelineId: string): Partial<Record<Tag, number>>;
  setTag(pipelineId: string, tag: Tag, version: number): void;
  /** False when the tag was not set. */
  clearTag(pipelineId: string, tag: Tag): boolean;
  policy(pipelineId: string): unknown;
  setPolicy(pipelineId: string, policy: unknown): void;
  /** Pipelines with a stored policy. */
  policyPipelines(): string[];
  /** Finished live-traffic runs of one version, newest first: at most `limit`, none finished before `since`. */
  liveRuns(pipelineId: string, version: number, window: { since: number; limit: number }): LiveRunRow[];
  critiqueVerdicts(runIds: string[]): CritiqueVerdict[];
  /** USD spent by live-traffic runs of the pipeline (every version) finished since `since`. */
  spendSince(pipelineId: string, since: number): number;
  /** Stores a run's online results; a result already stored for that run and evaluator is kept, so a second evaluation changes nothing. */
  saveOnlineScores(scores: readonly OnlineScore[]): void;
  hasOnlineScores(runId: string): boolean;
  onlineScores(runIds: readonly string[]): OnlineScore[];
}

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

  tags(pipelineId: string): Partial<Record<Tag, number>> {
    const rows = this.tagsStmt.all(pipelineId) as Array<{ tag: Tag; version: number }>;
    return Object.fromEntries(rows.map((r) => [r.tag, r.version]));
  }

  setTag(pipelineId: string, tag: Tag, version: number): void {
    this.db
      .prepare(
        "INSERT INTO pipeline_tags (pipeline_id, tag, version, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (pipeline_id, tag) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at",
      )
      .run(pipelineId, tag, version, this.now());
  }

  clearTag(pipelineId: string, tag: Tag): boolean {
    return this.db.prepare("DELETE FROM pipeline_tags WHERE pipeline_id = ? AND tag = ?").run(pipelineId, tag).changes > 0;
  }

  policy(pipelineId: string): unknown {
    const row = this.policyStmt.get(pipelineId) as { policy: string } | undefined;
    return row ? safeJsonParse(row.policy) : undefined;
  }

  setPolicy(pipelineId: string, policy: unknown): void {
    this.db
      .prepare(
        "INSERT INTO deployment_policies (pipeline_id, policy, updated_at) VALUES (?, ?, ?) ON CONFLICT (pipeline_id) DO UPDATE SET policy = excluded.policy, updated_at = excluded.updated_at",
      )
      .run(pipelineId, JSON.stringify(policy), this.now());
  }

  policyPipelines(): string[] {
    return (this.db.prepare("SELECT pipeline_id FROM deployment_policies ORDER BY pipeline_id").all() as Array<{ pipeline_id: string }>).map(
      (r) => r.pipeline_id,
    );
  }

  liveRuns(pipelineId: string, version: number, window: { since: number; limit: number }): LiveRunRow[] {
    // Only REST traffic carries `options.traffic`: editor runs, experiments and batches of the same version are not live traffic.
    const rows = this.db
      .prepare(
        `SELECT id, status, started_at, finished_at, cost_usd FROM runs
         WHERE pipeline_id = ? AND pipeline_version = ? AND status IN ('completed', 'failed') AND finished_at >= ?
           AND json_extract(options, '$.traffic') IS NOT NULL
         ORDER BY finished_at DESC LIMIT ?`,
      )
      .all(pipelineId, version, window.since, window.limit) as Array<{
      id: string;
      status: "completed" | "failed";
      started_at: number | null;
      finished_at: number;
      cost_usd: number;
    }>;
    return rows.map((r) => ({
      id: r.id,
      status: r.status,
      finishedAt: r.finished_at,
      costUsd: r.cost_usd,
      ...(r.started_at !== null ? { startedAt: r.started_at } : {}),
    }));
  }

  critiqueVerdicts(runIds: string[]): CritiqueVerdict[] {
    if (runIds.length === 0) return [];
    const out: CritiqueVerdict[] = [];
    const stmt = this.db.prepare(
      `SELECT run_id, node_id, data FROM run_events WHERE run_id = ? AND type = 'loop_iteration' AND json_extract(data, '$.passed') IS NOT NULL ORDER BY seq`,
    );
    for (const id of runIds) {
      const last = new Map<string, CritiqueVerdict>();
      for (const r of stmt.all(id) as Array<{ run_id: string; node_id: string; data: string }>) {
        const e = safeJsonParse(r.data) as { passed: boolean; branch?: string };
        last.set(r.node_id, { runId: r.run_id, nodeId: r.node_id, passed: e.passed === true, exhausted: e.branch === "exhausted" });
      }
      out.push(...last.values());
    }
    return out;
  }

  spendSince(pipelineId: string, since: number): number {
    const row = this.db
      .prepare(
        "SELECT COALESCE(SUM(cost_usd), 0) AS usd FROM runs WHERE pipeline_id = ? AND finished_at >= ? AND json_extract(options, '$.traffic') IS NOT NULL",
      )
      .get(pipelineId, since) as { usd: number };
    return row.usd;
  }

  saveOnlineScores(scores: readonly OnlineScore[]): void {
    const stmt = this.db.prepare(
      `INSERT INTO online_scores (run_id, evaluator, pipeline_id, pipeline_version, weight, score, pass, error, at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, evaluator) DO NOTHING`,
    );
    writeTransaction(this.db, () => {
      for (const s of scores) stmt.run(s.runId, s.evaluator, s.pipelineId, s.version, s.weight, s.score, s.pass ? 1 : 0, s.error ?? null, s.at);
    });
  }

  hasOnlineScores(runId: string): boolean {
    return this.db.prepare("SELECT 1 FROM online_scores WHERE run_id = ? LIMIT 1").get(runId) !== undefined;
  }

  onlineScores(runIds: readonly string[]): OnlineScore[] {
    if (runIds.length === 0) return [];
    const rows = this.db
      .prepare(
        `SELECT run_id, evaluator, pipeline_id, pipeline_version, weight, score, pass, error, at FROM online_scores
         WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY run_id, evaluator`,
      )
      .all(JSON.stringify(runIds)) as Array<{
      run_id: string;
      evaluator: string;
      pipeline_id: string;
      pipeline_version: number;
      weight: number;
      score: number;
      pass: number;
      error: string | null;
      at: number;
    }>;
    return rows.map((r) => ({
      runId: r.run_id,
      pipelineId: r.pipeline_id,
      version: r.pipeline_version,
      evaluator: r.evaluator,
      weight: r.weight,
      score: r.score,
      pass: r.pass === 1,
      ...(r.error !== null ? { error: r.error } : {}),
      at: r.at,
    }));
  }
}
