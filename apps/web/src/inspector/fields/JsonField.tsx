import { useCallback } from "react";
import { type Parsed, useDraft } from "../useDraft.js";
import { type FieldProps, FieldFrame, describedBy } from "./FieldFrame.js";

const format = (v: unknown) => (v === undefined ? "" : JSON.stringify(v, null, 2));

export function parseJsonText(t: string, opts: { object?: boolean; required?: boolean } = {}): Parsed<unknown> {
  if (t.trim() === "") return opts.required ? { ok: false, error: "A value is required." } : { ok: true, value: undefined };
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch (err) {
    return { ok: false, error: `Not valid JSON: ${(err as Error).message}` };
  }
  if (opts.object && (v === null || typeof v !== "object" || Array.isArray(v))) return { ok: false, error: "This must be a JSON object ({ … })." };
  return { ok: true, value: v };
}

const parseAny = (t: string) => parseJsonText(t);
const parseObject = (t: string) => parseJsonText(t, { object: true });

/** A JSON editor (shape, schema, example input) that validates as the user types. */
export function JsonField({ inputId, spec, value, onChange, problems, objectOnly }: FieldProps & { objectOnly?: boolean }) {
  const commit = useCallback((v: unknown) => onChange(v), [onChange]);
  const { text, error, onText } = useDraft(value, format, objectOnly ? parseObject : parseAny, commit);
  return (
    <FieldFrame inputId={inputId} spec={spec} problems={problems} error={error}>
      <textarea
        id={inputId}
        className="code"
        rows={Math.min(14, Math.max(3, text.split("\n").length))}
        value={text}
        spellCheck={false}
        onChange={(e) => onText(e.target.value)}
        aria-describedby={describedBy(inputId, spec, error)}
        aria-invalid={!!error || problems.length > 0}
      />
      {!error && text.trim() !== "" && <span className="json-ok">✓ valid JSON</span>}
    </FieldFrame>
  );
}
