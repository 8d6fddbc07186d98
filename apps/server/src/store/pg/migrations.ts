/**
 * PostgreSQL's schema, with the same tables and column names as SQLite's (store/migrations.ts) so
 * both dialects share their row mapping. Timestamps are BIGINT milliseconds; JSON documents stay
 * TEXT, as in SQLite: JSONB rewrites key order and number forms and cannot hold \u0000, and Braid
 * only ever reads these documents whole. Never edit a released entry: append a new one.
 */
export const PG_MIGRATIONS: string[] = [
  // 1: SQLite's schemas 1–5 at once (PostgreSQL storage arrived after them)
  `
  CREATE TABLE pipelines (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    current_version INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT
  );
  CREATE TABLE pipeline_versions (
    pipeline_id TEXT NOT NULL REFERENCES pipelines(id),
    version INTEGER NOT NULL,
    doc TEXT NOT NULL,
    message TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (pipeline_id, version)
  );
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    pipeline_id TEXT,
    pipeline_version INTEGER,
    pipeline_doc TEXT NOT NULL,
    input TEXT NOT NULL,
    seed BIGINT NOT NULL,
    status TEXT NOT NULL,
    options TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL,
    started_at BIGINT,
    finished_at BIGINT,
    input_tokens BIGINT NOT NULL DEFAULT 0,
    output_tokens BIGINT NOT NULL DEFAULT 0,
    cost_usd DOUBLE PRECISION NOT NULL DEFAULT 0,
    output TEXT,
    error TEXT,
    parent_run_id TEXT,
    from_node TEXT
  );
  CREATE INDEX runs_by_pipeline ON runs(pipeline_id, created_at DESC);
  CREATE INDEX runs_by_status ON runs(status);
  CREATE INDEX runs_by_version ON runs(pipeline_id, pipeline_version, finished_at);
  CREATE TABLE run_events (
    run_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    node_id TEXT,
    at BIGINT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
  );
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

  CREATE TABLE datasets (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    current_version INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  );
  CREATE TABLE dataset_versions (
    dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    hash TEXT NOT NULL,
    format TEXT NOT NULL,
    record_count INTEGER NOT NULL,
    records TEXT NOT NULL,
    message TEXT,
    created_at BIGINT NOT NULL,
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
    created_at BIGINT NOT NULL,
    started_at BIGINT,
    finished_at BIGINT,
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
  );

  CREATE TABLE pipeline_tags (
    pipeline_id TEXT NOT NULL,
    tag TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (pipeline_id, tag)
  );
  CREATE TABLE deployment_policies (pipeline_id TEXT PRIMARY KEY, policy TEXT NOT NULL, updated_at BIGINT NOT NULL);
  CREATE TABLE optimizer_cycles (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at BIGINT NOT NULL, record TEXT NOT NULL);
  CREATE TABLE pending_actions (
    id TEXT PRIMARY KEY,
    seq BIGINT GENERATED ALWAYS AS IDENTITY, -- insertion order, as SQLite's rowid breaks created_at ties
    pipeline_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    evidence TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    decided_at BIGINT,
    decided_by TEXT
  );
  CREATE INDEX pending_by_pipeline ON pending_actions(pipeline_id, version);
  CREATE TABLE audit_log (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    pipeline_id TEXT,
    reason TEXT NOT NULL,
    evidence TEXT NOT NULL
  );
  CREATE INDEX audit_by_pipeline ON audit_log(pipeline_id, id);
  CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
  CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
  CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

  CREATE TABLE optimizer_trials (
    id TEXT PRIMARY KEY,
    seq BIGINT GENERATED ALWAYS AS IDENTITY, -- insertion order, as SQLite's rowid breaks created_at ties
    pipeline_id TEXT NOT NULL,
    type TEXT NOT NULL,
    status TEXT NOT NULL,
    live_version INTEGER NOT NULL,
    spec TEXT NOT NULL,
    result TEXT,
    created_at BIGINT NOT NULL,
    finished_at BIGINT
  );
  CREATE INDEX trials_by_pipeline ON optimizer_trials(pipeline_id, status);

  CREATE TABLE online_scores (
    run_id TEXT NOT NULL,
    evaluator TEXT NOT NULL,
    pipeline_id TEXT NOT NULL,
    pipeline_version INTEGER NOT NULL,
    weight DOUBLE PRECISION NOT NULL,
    score DOUBLE PRECISION NOT NULL,
    pass INTEGER NOT NULL,
    error TEXT,
    at BIGINT NOT NULL,
    PRIMARY KEY (run_id, evaluator)
  );
  `,
];
