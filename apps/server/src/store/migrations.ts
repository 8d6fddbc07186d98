/**
 * Versioned schema migrations. Each entry runs once, in order, inside a transaction; the applied
 * version is kept in `PRAGMA user_version`. Never edit a released entry: append a new one.
 */
export const MIGRATIONS: string[] = [
  // 1: pipelines with versions, runs, events
  `
  CREATE TABLE pipelines (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    current_version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
  );
  CREATE TABLE pipeline_versions (
    pipeline_id TEXT NOT NULL REFERENCES pipelines(id),
    version INTEGER NOT NULL,
    doc TEXT NOT NULL,
    message TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (pipeline_id, version)
  );
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    pipeline_id TEXT,
    pipeline_version INTEGER,
    pipeline_doc TEXT NOT NULL,
    input TEXT NOT NULL,
    seed INTEGER NOT NULL,
    status TEXT NOT NULL,
    options TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd REAL NOT NULL DEFAULT 0,
    output TEXT,
    error TEXT,
    parent_run_id TEXT,
    from_node TEXT
  );
  CREATE INDEX runs_by_pipeline ON runs(pipeline_id, created_at DESC);
  CREATE INDEX runs_by_status ON runs(status);
  CREATE TABLE run_events (
    run_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    node_id TEXT,
    at INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
  // 2: evaluation datasets with versions; experiments and their per-record results
  `
  CREATE TABLE datasets (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    current_version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE dataset_versions (
    dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    hash TEXT NOT NULL,
    format TEXT NOT NULL,
    record_count INTEGER NOT NULL,
    records TEXT NOT NULL,
    message TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (dataset_id, version)
  );
  CREATE TABLE experiments (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    pipeline_id TEXT NOT NULL,
    pipeline_version INTEGER NOT NULL,
    dataset_id TEXT NOT NULL REFERENCES datasets(id),
    dataset_version INTEGER NOT NULL,
    dataset_hash TEXT NOT NULL,
    spec TEXT NOT NULL,
    status TEXT NOT NULL,
    total INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    metrics TEXT,
    error TEXT
  );
  CREATE INDEX experiments_by_dataset ON experiments(dataset_id, created_at DESC);
  CREATE TABLE experiment_records (
    experiment_id TEXT NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    run_id TEXT,
    result TEXT,
    PRIMARY KEY (experiment_id, idx)
  ) WITHOUT ROWID;
  `,
  // 3: deployments (version tags, policies), the optimizer's cycles and pending actions, and the append-only audit log
  `
  CREATE TABLE pipeline_tags (
    pipeline_id TEXT NOT NULL,
    tag TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (pipeline_id, tag)
  ) WITHOUT ROWID;
  CREATE TABLE deployment_policies (pipeline_id TEXT PRIMARY KEY, policy TEXT NOT NULL, updated_at INTEGER NOT NULL);
  CREATE TABLE optimizer_cycles (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, record TEXT NOT NULL);
  CREATE TABLE pending_actions (
    id TEXT PRIMARY KEY,
    pipeline_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    evidence TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    decided_at INTEGER,
    decided_by TEXT
  );
  CREATE INDEX pending_by_pipeline ON pending_actions(pipeline_id, version);
  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    pipeline_id TEXT,
    reason TEXT NOT NULL,
    evidence TEXT NOT NULL
  );
  CREATE INDEX audit_by_pipeline ON audit_log(pipeline_id, id);
  CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  CREATE INDEX runs_by_version ON runs(pipeline_id, pipeline_version, finished_at);
  `,
  // 4: the optimizer's suggestion trials: experiments it started and reads back in a later cycle (pruning, routing)
  `
  CREATE TABLE optimizer_trials (
    id TEXT PRIMARY KEY,
    pipeline_id TEXT NOT NULL,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    live_version INTEGER NOT NULL,
    spec TEXT NOT NULL,
    result TEXT,
    created_at INTEGER NOT NULL,
    finished_at INTEGER
  );
  CREATE INDEX trials_by_pipeline ON optimizer_trials(pipeline_id, status);
  `,
  // 5: online evaluator results on live REST runs, one row per run and evaluator (so a run evaluated twice counts once)
  `
  CREATE TABLE online_scores (
    run_id TEXT NOT NULL,
    evaluator TEXT NOT NULL,
    pipeline_id TEXT NOT NULL,
    pipeline_version INTEGER NOT NULL,
    weight REAL NOT NULL,
    score REAL NOT NULL,
    pass INTEGER NOT NULL,
    error TEXT,
    at INTEGER NOT NULL,
    PRIMARY KEY (run_id, evaluator)
  ) WITHOUT ROWID;
  `,
  // 6: LangGraph's checkpoints beside the event log, so a batch of events and the checkpoint
  // writes made with them commit in one transaction (SqliteSaver's own schema: it reads them)
  `
  CREATE TABLE IF NOT EXISTS checkpoints (
    thread_id TEXT NOT NULL,
    checkpoint_ns TEXT NOT NULL DEFAULT '',
    checkpoint_id TEXT NOT NULL,
    parent_checkpoint_id TEXT,
    type TEXT,
    checkpoint BLOB,
    metadata BLOB,
    PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id)
  );
  CREATE TABLE IF NOT EXISTS writes (
    thread_id TEXT NOT NULL,
    checkpoint_ns TEXT NOT NULL DEFAULT '',
    checkpoint_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    channel TEXT NOT NULL,
    type TEXT,
    value BLOB,
    PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx)
  );
  `,
];
