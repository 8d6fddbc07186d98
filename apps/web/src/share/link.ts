import type { Redaction } from "@braid/core";

const SHARE_PREFIX = "share=";

/** The link to paste: the app's own address with the share fragment; a fragment never reaches a server. */
export function shareUrl(location: { origin: string; pathname?: string }, fragment: string): string {
  const path = location.pathname && location.pathname !== "" ? location.pathname : "/";
  return `${location.origin}${path}#${fragment.replace(/^#/, "")}`;
}

/** The `share=…` fragment of a URL hash, or null when the hash is not a share link. */
export function shareFragment(hash: string): string | null {
  const body = hash.replace(/^#/, "");
  return body.startsWith(SHARE_PREFIX) ? body : null;
}

/** What was taken out, in words: one line per kind of secret, with where it was. */
export function describeRedactions(redactions: readonly Redaction[]): string[] {
  const byKind = new Map<string, string[]>();
  for (const r of redactions) {
    const list = byKind.get(r.kind) ?? [];
    if (!list.includes(r.path)) list.push(r.path);
    byKind.set(r.kind, list);
  }
  return [...byKind].map(([kind, paths]) => {
    const shown = paths.slice(0, 4).map((p) => p || "(document)");
    const more = paths.length > shown.length ? ` and ${paths.length - shown.length} more` : "";
    return `${kind} in ${shown.join(", ")}${more}`;
  });
}

/** "1.2 kB" style sizes for the share link's length. */
export function formatChars(n: number): string {
  return n < 1000 ? `${n} characters` : `${(n / 1000).toFixed(1)}k characters`;
}
