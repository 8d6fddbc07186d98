import { RE2JS } from "re2js";

/**
 * JSONata compiles `/…/` literals to native RegExp, whose backtracking can take minutes on a short
 * input (`/(.*a){12}$/`). Every regex JSONata evaluates runs on RE2 instead (linear time); patterns
 * RE2 cannot run (backreferences, lookaround) are refused when the expression is compiled.
 */

const compiled = new Map<string, RE2JS>();

function flagsOf(re: RegExp): number {
  let flags = 0;
  if (re.ignoreCase) flags |= RE2JS.CASE_INSENSITIVE;
  if (re.multiline) flags |= RE2JS.MULTILINE;
  if (re.dotAll) flags |= RE2JS.DOTALL;
  return flags;
}

/** Compiles a JavaScript regex literal for RE2; throws an Error that says why when RE2 cannot run it. */
export function toRe2(re: RegExp): RE2JS {
  const key = `${re.flags}/${re.source}`;
  const hit = compiled.get(key);
  if (hit) return hit;
  let out: RE2JS;
  try {
    out = RE2JS.compile(RE2JS.translateRegExp(re.source), flagsOf(re));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`regular expression /${re.source}/ is not supported (${why}); backreferences and lookaround are not available`);
  }
  if (compiled.size > 1000) compiled.clear();
  compiled.set(key, out);
  return out;
}

/**
 * The part of the RegExp interface JSONata uses (its evaluateRegex closure): construction from the
 * parsed literal, `lastIndex`, and a global `exec` that returns the match array with `index`.
 */
export class Re2RegExp {
  lastIndex = 0;
  readonly source: string;
  readonly global = true;
  private readonly re: RE2JS;

  constructor(literal: RegExp) {
    this.source = literal.source;
    this.re = toRe2(literal);
  }

  exec(str: string): RegExpExecArray | null {
    const m = this.re.matcher(str);
    if (this.lastIndex > str.length || !m.find(this.lastIndex)) {
      this.lastIndex = 0;
      return null;
    }
    const groups: Array<string | undefined> = [];
    for (let i = 0; i <= this.re.groupCount(); i++) groups.push(m.group(i) ?? undefined);
    const result = Object.assign(groups, { index: m.start(), input: str }) as unknown as RegExpExecArray;
    this.lastIndex = m.end();
    return result;
  }
}

/** Every regex literal in a parsed JSONata AST (the parser stores them as RegExp values). */
export function regexLiterals(ast: unknown): RegExp[] {
  const found: RegExp[] = [];
  const seen = new Set<object>();
  const visit = (v: unknown): void => {
    if (!v || typeof v !== "object" || seen.has(v)) return;
    seen.add(v);
    if (v instanceof RegExp) {
      found.push(v);
      return;
    }
    for (const x of Array.isArray(v) ? v : Object.values(v)) visit(x);
  };
  visit(ast);
  return found;
}
