/** A connection URL fit for a message or a log (Redis, PostgreSQL): the password replaced by `***`. */
export function maskUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = "***";
    if (url.searchParams.has("password")) url.searchParams.set("password", "***");
    return url.toString();
  } catch {
    // Not a URL: still hide anything between "://user:" and "@".
    return raw.replace(/(\/\/[^:/@]*:)[^@]*@/, "$1***@");
  }
}
