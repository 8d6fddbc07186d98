/** `postgres://user:secret@host/db` with the password masked, for messages and logs. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    if (u.searchParams.has("password")) u.searchParams.set("password", "***");
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, "//$1:***@");
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
