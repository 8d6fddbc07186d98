/**
 * Scrubbing the values a backend was sent (its key, header values from the environment) out of
 * what it answers: a server that echoes the key back must not put it into events, errors or the
 * database. Values shorter than four characters are left alone (they would match everywhere).
 */
export const REDACTED = "[redacted]";

const usable = (secrets: readonly string[]) => [...new Set(secrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of usable(secrets)) out = out.split(s).join(REDACTED);
  return out;
}

/**
 * The same for streamed text: a secret may be split across chunks, so the end of what has
 * arrived is held back while it could still be the start of one. Joined, the output is
 * `redact(whole text)`.
 */
export function streamRedactor(secrets: readonly string[]): { push(text: string): string; end(): string } {
  const list = usable(secrets);
  let held = "";
  return {
    push(text) {
      if (list.length === 0) return text;
      held = redact(held + text, list);
      let keep = 0;
      for (const s of list) {
        for (let n = Math.min(s.length - 1, held.length); n > keep; n--) {
          if (held.endsWith(s.slice(0, n))) {
            keep = n;
            break;
          }
        }
      }
      const out = held.slice(0, held.length - keep);
      held = held.slice(held.length - keep);
      return out;
    },
    end() {
      const out = held;
      held = "";
      return out;
    },
  };
}
