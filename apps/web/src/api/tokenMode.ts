/**
 * Whether the server asks applications for a token (BRAID_TOKEN set). The page itself is signed
 * in by its cookie, so it asks the way an application would: a REST call without credentials.
 * 401 means token mode; anything else means the API is open. Asked once per page.
 */
let asked: Promise<boolean> | undefined;

export function tokenRequired(): Promise<boolean> {
  asked ??= fetch("/api/pipelines", { credentials: "omit", headers: { accept: "application/json" } })
    .then((r) => r.status === 401)
    .catch(() => false);
  return asked;
}
