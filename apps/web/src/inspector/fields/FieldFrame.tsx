import type { ReactNode } from "react";
import type { FieldSpec } from "../../doc/schemaFields.js";

export interface FieldProps {
  /** Unique DOM id of the control; the label points at it. */
  inputId: string;
  spec: FieldSpec;
  value: unknown;
  onChange: (value: unknown) => void;
  nodeId: string;
  /** Lint messages about this field. */
  problems: string[];
}

/** Label, help text, lint problems and local errors around one control. */
export function FieldFrame(props: { inputId: string; spec: FieldSpec; problems: string[]; error?: string | undefined; children: ReactNode }) {
  const { inputId, spec, problems, error } = props;
  return (
    <div className={`field ${problems.length || error ? "field-invalid" : ""}`}>
      <label htmlFor={inputId} className="field-label">
        {spec.label}
        {spec.required && (
          <span className="required" aria-hidden="true">
            {" "}
            *
          </span>
        )}
        {(spec.min !== undefined || spec.max !== undefined) && (
          <span className="field-bounds">
            {" "}
            ({spec.min ?? "…"}–{spec.max ?? "…"})
          </span>
        )}
      </label>
      {props.children}
      {spec.description && (
        <p className="field-help" id={`${inputId}-help`}>
          {spec.description}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${inputId}-error`} role="alert">
          {error}
        </p>
      )}
      {problems.map((p) => (
        <p className="field-problem" key={p}>
          {p}
        </p>
      ))}
    </div>
  );
}

export const describedBy = (inputId: string, spec: FieldSpec, error?: string) =>
  [spec.description ? `${inputId}-help` : "", error ? `${inputId}-error` : ""].filter(Boolean).join(" ") || undefined;
