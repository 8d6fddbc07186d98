import { type Redaction, redactString } from "@braid/core";

/**
 * `apiKeyEnv` holds the NAME of an environment variable; a key pasted there must never be sent or
 * stored. These checks run before anything leaves the browser (the server refuses keys as well).
 */

const KEY_PREFIXES: Array<{ re: RegExp; kind: string }> = [
  { re: /^sk-ant-/, kind: "an Anthropic API key" },
  { re: /^sk-/, kind: "an OpenAI-style API key" },
  { re: /^sk_(live|test)_/, kind: "a secret key" },
  { re: /^(gsk|xai|pplx|hf|glpat|ghp|gho|ghu|ghs|github_pat|r8|fw|nvapi)[-_]/, kind: "an API token" },
  { re: /^AIza[0-9A-Za-z_-]{10,}/, kind: "a Google API key" },
  { re: /^AKIA[0-9A-Z]{12,}/, kind: "an AWS access key" },
  { re: /^Bearer\s/i, kind: "a bearer token" },
  { re: /^eyJ[A-Za-z0-9_-]{6,}\./, kind: "a JWT" },
];

/** Says what kind of secret `value` looks like, or undefined when it may well be a variable name. */
export function keyLikeKind(value: string): string | undefined {
  const v = value.trim();
  if (!v) return undefined;
  for (const p of KEY_PREFIXES) if (p.re.test(v)) return p.kind;
  const found: Redaction[] = [];
  redactString(v, "apiKeyEnv", found);
  if (found[0]) return `a ${found[0].kind}`;
  // Variable names are words (OPENAI_API_KEY, my_key). Long runs of mixed letters and digits without
  // separators, or hex/base64 blobs, are what keys look like.
  if (v.length >= 20 && !/[_]/.test(v) && /[0-9]/.test(v) && /[A-Za-z]/.test(v)) return "an API key";
  if (v.length >= 32 && /^[A-Za-z0-9+/=_-]+$/.test(v) && /[0-9]/.test(v) && /[a-z]/.test(v) && /[A-Z]/.test(v)) return "an API key";
  return undefined;
}

/** The explanation shown (and the reason nothing is sent) when apiKeyEnv looks like a key. */
export function keyRefusal(kind: string): string {
  return (
    `this looks like ${kind}, not the name of an environment variable. Braid never stores keys: ` +
    "put the key in an environment variable before starting the server (e.g. export OPENAI_API_KEY=…) " +
    "and type only the variable's name here, e.g. OPENAI_API_KEY. If this was a real key, consider it exposed and rotate it."
  );
}

/** `$OPENAI_API_KEY` or `${OPENAI_API_KEY}` → `OPENAI_API_KEY` (the name the field wants), else undefined. */
export function bareVariableName(value: string): string | undefined {
  const m = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(value.trim());
  return m?.[1];
}
