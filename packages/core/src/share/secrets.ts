/**
 * Pipelines reference backends by name and never hold keys, but a user can still paste a key into
 * a prompt or an extra config field. Everything that leaves Braid as a file, diagram or link goes
 * through here first: secret-looking values are replaced, and the caller can say what was removed.
 */
export const REDACTED = "[redacted]";

const VALUE_PATTERNS: Array<{ kind: string; re: RegExp }> = [
  { kind: "API key", re: /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{12,}/g },
  { kind: "bearer token", re: /\bBearer\s+[A-Za-z0-9._~+/=-]{6,}/gi },
  { kind: "URL password", re: /(?<=\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+(?=@)/gi },
  { kind: "AWS key", re: /\bAKIA[0-9A-Z]{16}\b/g },
  { kind: "GitHub token", re: /\bgh[pousr]_[A-Za-z0-9]{20,}\b/g },
  { kind: "Slack token", re: /\bxox[abprs]-[A-Za-z0-9-]{10,}/g },
  { kind: "JWT", re: /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
  { kind: "private key", re: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g },
];

const SECRET_WORDS = new Set([
  "key",
  "apikey",
  "secret",
  "password",
  "passwd",
  "pwd",
  "token",
  "authorization",
  "bearer",
  "credential",
  "credentials",
  "cookie",
]);
/** Words that make a key name harmless even though it ends in a secret word (maxTokens, apiKeyEnv). */
const HARMLESS_LAST = new Set(["env", "tokens", "name", "names", "count", "limit", "id"]);

/** `openaiApiKey`, `db_password`, `X-Auth-Token` are secret fields; `apiKeyEnv` and `maxTokens` are not. */
export function isSecretKey(key: string): boolean {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[\s_.-]+/)
    .map((w) => w.toLowerCase())
    .filter(Boolean);
  const last = words[words.length - 1];
  if (!last || HARMLESS_LAST.has(last)) return false;
  if (words.length === 1 && last === "key") return false; // a lone "key" is usually a lookup key
  return SECRET_WORDS.has(last) || (last === "key" && words.length > 1);
}

export interface Redaction {
  path: string;
  kind: string;
}

export function redactString(text: string, path: string, found: Redaction[]): string {
  let out = text;
  for (const { kind, re } of VALUE_PATTERNS) {
    out = out.replace(re, () => {
      found.push({ path, kind });
      return REDACTED;
    });
  }
  return out;
}

/** A deep copy with secret-looking values replaced, and where they were. */
export function redactSecrets<T>(value: T): { value: T; redactions: Redaction[] } {
  const redactions: Redaction[] = [];
  const walk = (v: unknown, path: string): unknown => {
    if (typeof v === "string") return redactString(v, path, redactions);
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}[${i}]`));
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        const p = path ? `${path}.${k}` : k;
        let next: unknown;
        if (isSecretKey(k) && (typeof x === "string" || typeof x === "number") && String(x) !== "") {
          redactions.push({ path: p, kind: `field "${k}"` });
          next = REDACTED;
        } else next = walk(x, p);
        Object.defineProperty(out, k, { value: next, enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return v;
  };
  return { value: walk(value, "") as T, redactions };
}
