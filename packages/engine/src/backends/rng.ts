/**
 * Seeded randomness for the simulated provider. Everything here is a pure function of its
 * seed string, so a simulated run replays byte-for-byte on any machine; `Math.random` and
 * the clock are never consulted.
 */

export type Rng = () => number;

/**
 * cyrb53: a fast, well-mixed 53-bit string hash. Chosen over FNV-1a because keys that differ
 * only in their last character (`…#attempt1` vs `…#attempt2`) must still land far apart.
 */
export function hashString(s: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** sfc32 seeded from two independent hashes of the key; returns floats in [0, 1). */
export function createRng(seedKey: string): Rng {
  const h = hashString(seedKey);
  let a = h >>> 0;
  let b = Math.floor(h / 4294967296) >>> 0;
  let c = hashString(seedKey, 0x9e3779b9) >>> 0;
  let d = 1;
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // The first outputs of sfc32 still correlate with the seed words; discard them.
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** Integer in [min, max], both inclusive. */
export function intBetween(rng: Rng, min: number, max: number): number {
  if (max <= min) return min;
  return min + Math.floor(rng() * (max - min + 1));
}

/** Float in [min, max) rounded to `decimals` places. */
export function floatBetween(rng: Rng, min: number, max: number, decimals = 2): number {
  const f = 10 ** decimals;
  return Math.round((min + rng() * (max - min)) * f) / f;
}

export function pick<T>(rng: Rng, list: readonly T[]): T {
  const v = list[Math.floor(rng() * list.length)];
  if (v === undefined) throw new Error("pick() from an empty list");
  return v;
}

// ---------------------------------------------------------------------------------------------
// Strings matching a regular expression (JSON Schema `pattern`). Only the common subset is
// understood: literals, escapes \d \w \s, classes with ranges/negation, groups, alternation and
// quantifiers. Anything else (lookaround, backreferences) makes the caller fall back, because a
// wrong guess would be worse than no guess.

type Atom = { chars: string } | { alts: Seq[] };
interface Quantified {
  atom: Atom;
  min: number;
  max: number;
}
type Seq = Quantified[];

const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join("");
const DIGITS = "0123456789";
const WORD = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
class Unsupported extends Error {}

function parsePattern(src: string): Seq {
  let i = 0;
  const readEscape = (): string => {
    const c = src[i++];
    if (c === undefined) throw new Unsupported();
    if (c === "d") return DIGITS;
    if (c === "w") return WORD;
    if (c === "s") return " ";
    if (/[A-Za-z0-9]/.test(c)) throw new Unsupported(); // \b, \D, \1, \u…: not worth guessing
    return c;
  };
  const charClass = (): string => {
    const negate = src[i] === "^";
    if (negate) i++;
    let set = "";
    let first = true;
    while (i < src.length && (src[i] !== "]" || first)) {
      first = false;
      let c = src[i++] as string;
      if (c === "\\") c = readEscape();
      if (c.length === 1 && src[i] === "-" && src[i + 1] !== undefined && src[i + 1] !== "]") {
        i++;
        let end = src[i++] as string;
        if (end === "\\") end = readEscape();
        for (let k = c.charCodeAt(0); k <= end.charCodeAt(0) && k < 0x7f; k++) set += String.fromCharCode(k);
      } else set += c;
    }
    if (src[i++] !== "]") throw new Unsupported();
    const chars = negate ? [...PRINTABLE].filter((ch) => !set.includes(ch)).join("") : set;
    if (!chars) throw new Unsupported();
    return chars;
  };
  const alternation = (): Atom => {
    const alts: Seq[] = [seq()];
    while (src[i] === "|") {
      i++;
      alts.push(seq());
    }
    return { alts };
  };
  const seq = (): Seq => {
    const out: Seq = [];
    while (i < src.length && src[i] !== "|" && src[i] !== ")") {
      const c = src[i++] as string;
      let atom: Atom;
      if (c === "^" || c === "$") continue;
      if (c === "(") {
        if (src[i] === "?") {
          if (src[i + 1] !== ":") throw new Unsupported();
          i += 2;
        }
        atom = alternation();
        if (src[i++] !== ")") throw new Unsupported();
      } else if (c === "[") atom = { chars: charClass() };
      else if (c === "\\") atom = { chars: readEscape() };
      else if (c === ".") atom = { chars: "abcdefghijklmnopqrstuvwxyz" };
      else if ("*+?{".includes(c)) throw new Unsupported();
      else atom = { chars: c };
      let min = 1;
      let max = 1;
      const q = src[i];
      if (q === "?" || q === "*" || q === "+") {
        i++;
        [min, max] = q === "?" ? [0, 1] : q === "*" ? [0, 3] : [1, 4];
      } else if (q === "{") {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
        if (!m) throw new Unsupported();
        i += m[0].length;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] ? Number(m[3]) : min + 3;
      }
      if (src[i] === "?") i++; // lazy quantifier: same language
      out.push({ atom, min, max });
    }
    return out;
  };
  const top = alternation();
  if (i < src.length) throw new Unsupported();
  return [{ atom: top, min: 1, max: 1 }];
}

function generate(seq: Seq, rng: Rng): string {
  let out = "";
  for (const { atom, min, max } of seq) {
    const n = intBetween(rng, min, max);
    for (let k = 0; k < n; k++) {
      if ("chars" in atom) out += atom.chars[Math.floor(rng() * atom.chars.length)] ?? "";
      else out += generate(pick(rng, atom.alts), rng);
    }
  }
  return out;
}

/** A string matching `pattern`, or undefined when the pattern is outside the supported subset. */
export function stringFromPattern(pattern: string, rng: Rng): string | undefined {
  let re: RegExp;
  try {
    re = new RegExp(pattern, "u");
  } catch {
    return undefined;
  }
  try {
    const ast = parsePattern(pattern);
    for (let attempt = 0; attempt < 5; attempt++) {
      const s = generate(ast, rng);
      if (re.test(s)) return s;
    }
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e;
  }
  return undefined;
}
