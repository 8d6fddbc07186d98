import { useCallback, useMemo } from "react";
import type { FieldSpec } from "../../doc/schemaFields.js";
import { type Parsed, useDraft } from "../useDraft.js";
import { type FieldProps, FieldFrame, describedBy } from "./FieldFrame.js";

const format = (v: number | undefined) => (v === undefined ? "" : String(v));

export function numberParser(spec: Pick<FieldSpec, "min" | "max" | "integer" | "required">) {
  return (t: string): Parsed<number | undefined> => {
    const s = t.trim();
    if (s === "") return spec.required ? { ok: false, error: "A number is required." } : { ok: true, value: undefined };
    const n = Number(s);
    if (!Number.isFinite(n)) return { ok: false, error: "Enter a number." };
    if (spec.integer && !Number.isInteger(n)) return { ok: false, error: "Enter a whole number." };
    if (spec.min !== undefined && n < spec.min) return { ok: false, error: `At least ${spec.min}.` };
    if (spec.max !== undefined && n > spec.max) return { ok: false, error: `At most ${spec.max}.` };
    return { ok: true, value: n };
  };
}

/** A number with its schema bounds; out-of-range text stays local with a message. */
export function NumberField({ inputId, spec, value, onChange, problems }: FieldProps) {
  const parse = useMemo(() => numberParser(spec), [spec]);
  const commit = useCallback((v: number | undefined) => onChange(v), [onChange]);
  const { text, error, onText } = useDraft(typeof value === "number" ? value : undefined, format, parse, commit);
  const step = spec.integer ? 1 : spec.max !== undefined && spec.max <= 2 ? 0.05 : "any";
  return (
    <FieldFrame inputId={inputId} spec={spec} problems={problems} error={error}>
      <input
        id={inputId}
        type="number"
        inputMode="decimal"
        value={text}
        min={spec.min}
        max={spec.max}
        step={step}
        placeholder={spec.default !== undefined ? `default ${String(spec.default)}` : undefined}
        onChange={(e) => onText(e.target.value)}
        aria-describedby={describedBy(inputId, spec, error)}
        aria-invalid={!!error || problems.length > 0}
        aria-required={spec.required}
      />
    </FieldFrame>
  );
}
