/**
 * The lossless part of a Mermaid export: the pipeline JSON, base64url-encoded, in comment lines.
 * base64url's alphabet (`A-Z a-z 0-9 - _`) cannot form `%%{`, `}%%`, `;` or `#word;`, so
 * Mermaid's pre-processing never sees anything in these lines but a comment. Written with
 * TextEncoder and a hand-rolled codec so it runs in the browser as well as in Node.
 */
import { FORMAT_V1, type Pipeline } from "../format/schema.js";
import { safeJsonParse } from "../json.js";

export const FORMAT_COMMENT = `%% braid:format ${FORMAT_V1}`;
export const PIPELINE_COMMENT_PREFIX = "%% braid:pipeline ";
/** Whole comment lines stay at or under this length. */
export const MAX_LINE = 200;

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const LOOKUP = new Map([...ALPHABET].map((c, i) => [c, i] as const));

export function base64urlEncode(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] ?? 0;
    const b1 = bytes[i + 1] ?? 0;
    const b2 = bytes[i + 2] ?? 0;
    const n = (b0 << 16) | (b1 << 8) | b2;
    const chars = i + 2 < bytes.length ? 4 : i + 1 < bytes.length ? 3 : 2;
    for (let k = 0; k < chars; k++) out += ALPHABET[(n >> (18 - 6 * k)) & 63];
  }
  return out;
}

/** Strict decoding: any character outside the alphabet, or an impossible length, throws. */
export function base64urlDecode(text: string): Uint8Array {
  if (text.length % 4 === 1) throw new Error(`length ${text.length} is not a possible base64url length`);
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    const group = text.slice(i, i + 4);
    for (let k = 0; k < 4; k++) {
      const ch = group[k];
      const v = ch === undefined ? 0 : LOOKUP.get(ch);
      if (v === undefined) throw new Error(`unexpected character ${JSON.stringify(ch)} at position ${i + k}`);
      n = (n << 6) | v;
    }
    const bytes = group.length - 1;
    for (let k = 0; k < bytes; k++) out[o++] = (n >> (16 - 8 * k)) & 255;
  }
  return out;
}

/**
 * The comment lines carrying `pipeline`. JSON.stringify writes lone surrogates as `\udXXX`
 * escapes, so the JSON text is always valid UTF-8 and survives the trip byte for byte.
 */
export function embedLines(pipeline: Pipeline): string[] {
  const data = base64urlEncode(new TextEncoder().encode(JSON.stringify(pipeline)));
  const size = MAX_LINE - PIPELINE_COMMENT_PREFIX.length;
  const lines: string[] = [];
  for (let i = 0; i < data.length; i += size) lines.push(PIPELINE_COMMENT_PREFIX + data.slice(i, i + size));
  return lines;
}

const PIPELINE_LINE = /^[ \t]*%%[ \t]*braid:pipeline(?:[ \t]+(\S*))?[ \t]*$/;

/** The concatenated payload of all `%% braid:pipeline` lines, or undefined when there are none. */
export function findEmbedded(text: string): string | undefined {
  let found = false;
  let data = "";
  for (const line of text.split(/\r?\n|\r/)) {
    const m = PIPELINE_LINE.exec(line);
    if (!m) continue;
    found = true;
    data += m[1] ?? "";
  }
  return found ? data : undefined;
}

/** Decodes an embedded payload to a JSON value; throws an Error with a user-facing message. */
export function decodeEmbedded(data: string): unknown {
  let bytes: Uint8Array;
  try {
    bytes = base64urlDecode(data);
  } catch (err) {
    throw new Error(`the embedded pipeline (%% braid:pipeline lines) is not valid base64url: ${(err as Error).message}`);
  }
  let json: string;
  try {
    json = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new Error("the embedded pipeline (%% braid:pipeline lines) is not valid UTF-8 text");
  }
  try {
    return safeJsonParse(json);
  } catch (err) {
    throw new Error(`the embedded pipeline (%% braid:pipeline lines) is not valid JSON: ${(err as Error).message}`);
  }
}
