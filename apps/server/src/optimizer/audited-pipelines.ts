import { currentActor } from "../http/auth.js";
import type { AuditStore } from "../store/audit.js";
import type { PipelineStore, PipelineSummary } from "../store/pipelines.js";

/**
 * The pipeline store with every new version written to the audit trail. A decorator rather than a
 * hook in the SQLite store, so the store stays a store and seeding the examples is not audited.
 */
export function auditedPipelines(store: PipelineStore, audit: AuditStore, actor: () => string = currentActor): PipelineStore {
  const saved = async <T extends PipelineSummary | undefined>(before: number | undefined, s: T, reason: string): Promise<T> => {
    if (s && s.version !== before)
      await audit.append({ actor: actor(), action: "save", pipelineId: s.id, reason, evidence: { version: s.version, name: s.name } });
    return s;
  };
  const version = async (id: string | undefined) => (id === undefined ? undefined : (await store.get(id))?.version);
  return {
    list: (opts) => store.list(opts),
    get: (id, v) => store.get(id, v),
    save: async (doc, opts) => {
      const before = await version(opts?.id);
      return saved(before, await store.save(doc, opts), opts?.message ?? "saved");
    },
    delete: (id) => store.delete(id),
    undelete: (id) => store.undelete(id),
    rename: async (id, name) => {
      const before = await version(id);
      return saved(before, await store.rename(id, name), `renamed to ${JSON.stringify(name)}`);
    },
    duplicate: async (id, name) => saved(undefined, await store.duplicate(id, name), `copied from ${id}`),
    versions: (id) => store.versions(id),
    restore: async (id, v) => {
      const before = await version(id);
      return saved(before, await store.restore(id, v), `restored version ${v} as a new version`);
    },
  };
}
