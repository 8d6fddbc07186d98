// The errors a start-up reports in one line (no stack): importable without loading a database driver.
import { maskUrl } from "../mask-url.js";

/** A database file that cannot be used as it is; the message names the file and the way out. */
export class DatabaseError extends Error {
  constructor(
    readonly file: string,
    problem: string,
  ) {
    super(
      `${file}: ${problem}. Restore it from a backup, or move it aside (with its -wal and -shm files, e.g. \`mv ${file} ${file}.damaged\`) to start with an empty one.`,
    );
    this.name = "DatabaseError";
  }
}

/** The database named by BRAID_DATABASE_URL cannot be used; the message names the URL (password masked). */
export class PgConnectError extends Error {
  constructor(url: string, cause: unknown) {
    const why = (cause as Error)?.message || String(cause);
    super(`cannot use the PostgreSQL database at ${maskUrl(url)} (BRAID_DATABASE_URL): ${why}`, { cause });
    this.name = "PgConnectError";
  }
}
