import { strFromU8, strToU8, unzlibSync, zlibSync } from "fflate";
import { type ParseResult, parsePipeline } from "../format/parse.js";
import type { Pipeline } from "../format/schema.js";
import { type Redaction, redactSecrets } from "./secrets.js";

/** URL fragments this long still open everywhere we care about; beyond it, share the file instead. */
export const SHARE_LINK_LIMIT = 8000;
const PREFIX = "share=";

const toBase64Url = (bytes: Uint8Array): string => {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

const fromBase64Url = (text: string): Uint8Array => {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
};

export type ShareLink =
  | { ok: true; fragment: string; length: number; redactions: Redaction[] }
  | { ok: false; length: number; limit: number; redactions: Redaction[] };

/**
 * The pipeline, secrets redacted, compressed into a URL fragment (`#share=…`). Fragments never
 * reach a server, so sharing needs no storage and leaks nothing to logs.
 */
export function encodeShareLink(pipeline: Pipeline, limit = SHARE_LINK_LIMIT): ShareLink {
  const { value, redactions } = redactSecrets(pipeline);
  const fragment = PREFIX + toBase64Url(zlibSync(strToU8(JSON.stringify(value)), { level: 9 }));
  if (fragment.length > limit) return { ok: false, length: fragment.length, limit, redactions };
  return { ok: true, fragment, length: fragment.length, redactions };
}

/** Reads `#share=…` (with or without the `#`); every failure is a diagnostic, never a throw. */
export function decodeShareLink(fragment: string): ParseResult {
  const body = fragment.replace(/^#/, "");
  if (!body.startsWith(PREFIX))
    return { ok: false, diagnostics: [{ code: "E_PARSE", severity: "error", message: "not a Braid share link (it should contain #share=…)" }] };
  let json: string;
  try {
    json = strFromU8(unzlibSync(fromBase64Url(body.slice(PREFIX.length))));
  } catch {
    return { ok: false, diagnostics: [{ code: "E_PARSE", severity: "error", message: "the share link is damaged (it may have been cut off when copied)" }] };
  }
  return parsePipeline(json);
}

/** The pipeline file as users download it: pretty JSON, secrets redacted. */
export function exportPipelineJson(pipeline: Pipeline): { text: string; redactions: Redaction[] } {
  const { value, redactions } = redactSecrets(pipeline);
  return { text: `${JSON.stringify(value, null, 2)}\n`, redactions };
}
