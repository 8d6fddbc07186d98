/**
 * Text and id encoding for Mermaid flowcharts.
 *
 * Mermaid reads user text in more places than its grammar suggests: before the lexer runs it
 * scans the whole source for `%%{...}%%` directives, for `style ...:...#...;` (where it deletes
 * a `;`), and for `#word;` entities (which it rewrites into private placeholder characters
 * `ﬂ°`, `ﬂ°°` and `¶ß`). Its flowchart lexer also has a rule `.*direction\s+TB[^\n]*` that is
 * tried before node ids, so a label containing "direction TB" silently turns its whole line
 * into a direction statement. Labels may be rendered as HTML or markdown. Encoding every
 * character that any of those stages cares about, as a `#<decimal>;` entity inside a quoted
 * label, keeps user text inert in all of them.
 */

/** Characters that are always written as entities; everything else (letters, digits, emoji) is kept as is. */
const ENCODED = new Set([
  ...`"#<>&|[]{}()\`*_~%;:\\$`,
  // Mermaid's own entity placeholders: a user label must not be able to forge them.
  "\uFB02",
  "\u00B6",
]);

/** Line breaks and other control characters would end a Mermaid statement. */
const CONTROL = /[\p{Cc}\u2028\u2029]/gu;

/** Encodes user text for a quoted Mermaid label (`id["..."]`, `-->|"..."|`). Never returns raw markup. */
export function escapeLabel(text: string): string {
  let out = "";
  for (const ch of text.replace(CONTROL, " ")) {
    if (ch === '"') out += "#quot;";
    else if (ENCODED.has(ch)) out += `#${ch.codePointAt(0)};`;
    else out += ch;
  }
  // Break the lexer's `direction\s+XX` rule by encoding the whitespace after the word.
  return out.replace(/(direction)(\s)/gi, (_m, word: string, space: string) => `${word}#${space.codePointAt(0)};`);
}

/** The text to show for a label: the label unless it is missing or blank (Mermaid rejects `[""]`). */
export function displayText(label: unknown, fallback: string): string {
  return typeof label === "string" && label.trim() !== "" ? label : fallback;
}

/** First `max` characters of a prompt on one line, cut on code points so emoji stay whole. */
export function excerpt(text: string, max = 40): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const chars = Array.from(flat);
  return chars.length <= max ? flat : `${chars.slice(0, max).join("").trimEnd()}…`;
}

const NAMED: Record<string, string> = { quot: '"', amp: "&", lt: "<", gt: ">", apos: "'", nbsp: "\u00A0", num: "#" };

/** Decodes Mermaid's `#quot;` / `#35;` entities (and `&...;` HTML ones, which hand-written diagrams use too). */
export function decodeEntities(text: string): string {
  return text.replace(/[#&](?:#?(\d{1,7})|([A-Za-z]{2,8}));/g, (m, num: string | undefined, name: string | undefined) => {
    if (num !== undefined) {
      const cp = Number(num);
      const valid = cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
      return valid ? String.fromCodePoint(cp) : m;
    }
    return NAMED[(name ?? "").toLowerCase()] ?? m;
  });
}

/**
 * Assigns each pipeline id a Mermaid id. Every id gets an `n_` prefix, which keeps it clear of
 * Mermaid keywords (`end`, `subgraph`, `click`, `style`, `class`, ...) and of ids starting with
 * a digit. Punctuation becomes `_`; ids that then collide get `_2`, `_3`, ... in input order.
 */
export function allocateMermaidIds(ids: Iterable<string>): Map<string, string> {
  const map = new Map<string, string>();
  const used = new Set<string>();
  for (const id of ids) {
    if (map.has(id)) continue;
    const base = `n_${id.replace(/[^A-Za-z0-9_]/g, "_")}`;
    let candidate = base;
    for (let n = 2; used.has(candidate); n++) candidate = `${base}_${n}`;
    used.add(candidate);
    map.set(id, candidate);
  }
  return map;
}

/** A CSS-class-safe form of a kind name. */
export const safeClassName = (name: string): string => name.replace(/[^A-Za-z0-9_]/g, "_");
