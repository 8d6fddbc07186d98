// Pulling JSON out of model text; pure, so kinds and the runtime share it.

/** Pulls JSON out of model text: bare JSON, a ```json fence, or the first balanced {...}/[...] block. */
export function extractJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const trimmed = text.trim();
  const candidates: string[] = [trimmed];
  const fence = /```(?:json)?\s*([\s\S]*?)```/i.exec(trimmed);
  if (fence?.[1]) candidates.push(fence[1].trim());
  const block = firstBalancedBlock(trimmed);
  if (block) candidates.push(block);
  for (const c of candidates) {
    try {
      return { ok: true, value: JSON.parse(c) };
    } catch {
      // try the next candidate
    }
  }
  return { ok: false, error: `not valid JSON: ${trimmed.slice(0, 80)}${trimmed.length > 80 ? "…" : ""}` };
}

function firstBalancedBlock(s: string): string | undefined {
  const start = s.search(/[[{]/);
  if (start < 0) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start; i < s.length; i++) {
    const ch = s[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === "{" || ch === "[") depth++;
    else if (ch === "}" || ch === "]") {
      depth--;
      if (depth === 0) return s.slice(start, i + 1);
    }
  }
  return undefined;
}
