import { BraidError } from "../errors.js";
import { FORMAT_V1 } from "./schema.js";

/**
 * Each entry upgrades a document from its `format` to the next version. v1 is current, so the
 * table is empty; a v2 adds `"braid/pipeline@1": (doc) => ({ ...doc, format: "braid/pipeline@2" })`
 * and bumps CURRENT_FORMAT. Loading always runs every step up to the current version.
 */
type Migration = (doc: Record<string, unknown>) => Record<string, unknown>;
export const MIGRATIONS: Record<string, Migration> = {};
export const CURRENT_FORMAT: string = FORMAT_V1;

export function migrate(doc: unknown): unknown {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return doc;
  let current = doc as Record<string, unknown>;
  for (let guard = 0; guard < 100; guard++) {
    const format = current.format;
    if (format === CURRENT_FORMAT) return current;
    if (typeof format !== "string") return current; // the schema reports the missing field
    const step = MIGRATIONS[format];
    if (!step) {
      throw new BraidError("E_FORMAT_VERSION", `format "${format}" is not supported; this Braid reads "${CURRENT_FORMAT}"`);
    }
    current = step(current);
  }
  throw new BraidError("E_FORMAT_VERSION", "migration did not converge");
}
