import { useCallback } from "react";
import { useEditor } from "../../state/store.js";
import { type Parsed, useDraft } from "../useDraft.js";
import { type FieldProps, FieldFrame, describedBy } from "./FieldFrame.js";

export function TextField({ inputId, spec, value, onChange, problems }: FieldProps) {
  return (
    <FieldFrame inputId={inputId} spec={spec} problems={problems}>
      <input
        id={inputId}
        type="text"
        value={typeof value === "string" ? value : ""}
        onChange={(e) => onChange(e.target.value === "" && !spec.required ? undefined : e.target.value)}
        aria-describedby={describedBy(inputId, spec)}
        aria-required={spec.required}
        aria-invalid={problems.length > 0}
      />
    </FieldFrame>
  );
}

export function BooleanField({ inputId, spec, value, onChange, problems }: FieldProps) {
  return (
    <FieldFrame inputId={inputId} spec={spec} problems={problems}>
      <input
        id={inputId}
        type="checkbox"
        checked={value === true}
        onChange={(e) => onChange(e.target.checked ? true : undefined)}
        aria-describedby={describedBy(inputId, spec)}
      />
    </FieldFrame>
  );
}

export function EnumField({ inputId, spec, value, onChange, problems }: FieldProps) {
  const options = spec.options ?? [];
  const cur = typeof value === "string" ? value : "";
  return (
    <FieldFrame inputId={inputId} spec={spec} problems={problems}>
      <select
        id={inputId}
        value={cur}
        onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value)}
        aria-describedby={describedBy(inputId, spec)}
        aria-required={spec.required}
      >
        {(!spec.required || cur === "") && <option value="">(not set)</option>}
        {cur !== "" && !options.includes(cur) && <option value={cur}>{cur} (not allowed)</option>}
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

/** A node id: any node of the pipeline but this one. */
export function NodeRefField({ inputId, spec, value, onChange, problems, nodeId }: FieldProps) {
  const nodes = useEditor((s) => s.doc.nodes);
  const registry = useEditor((s) => s.registry);
  const cur = typeof value === "string" ? value : "";
  const others = nodes.filter((n) => n.id !== nodeId && registry.get(n.kind)?.terminal !== "end");
  return (
    <FieldFrame inputId={inputId} spec={spec} problems={problems}>
      <select
        id={inputId}
        value={cur}
        onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value)}
        aria-describedby={describedBy(inputId, spec)}
        aria-required={spec.required}
      >
        <option value="">(choose a node)</option>
        {cur !== "" && !others.some((n) => n.id === cur) && <option value={cur}>{cur} (missing)</option>}
        {others.map((n) => (
          <option key={n.id} value={n.id}>
            {n.id}
            {n.label && n.label !== n.id ? ` — ${n.label}` : ""}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

/** A branch id of this node (route default, exit branch). */
export function BranchRefField({ inputId, spec, value, onChange, problems, nodeId }: FieldProps) {
  const branches = useEditor((s) => s.doc.nodes.find((n) => n.id === nodeId)?.config?.branches);
  const ids = Array.isArray(branches) ? branches.map((b) => String((b as { id?: unknown }).id ?? "")).filter(Boolean) : [];
  const cur = typeof value === "string" ? value : "";
  return (
    <FieldFrame inputId={inputId} spec={spec} problems={problems}>
      <select
        id={inputId}
        value={cur}
        onChange={(e) => onChange(e.target.value === "" ? undefined : e.target.value)}
        aria-describedby={describedBy(inputId, spec)}
        aria-required={spec.required}
      >
        {(!spec.required || cur === "") && <option value="">(not set)</option>}
        {cur !== "" && !ids.includes(cur) && <option value={cur}>{cur} (no such branch)</option>}
        {ids.map((b) => (
          <option key={b} value={b}>
            {b}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

const formatLines = (v: string[] | undefined) => (v ?? []).join("\n");
const parseLines = (t: string): Parsed<string[] | undefined> => {
  const lines = t
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return { ok: true, value: lines.length ? lines : undefined };
};

/** A list of strings, one per line (rubric rules). */
export function LinesField({ inputId, spec, value, onChange, problems }: FieldProps) {
  const arr = Array.isArray(value) ? value.map(String) : undefined;
  const commit = useCallback((v: string[] | undefined) => onChange(v), [onChange]);
  const { text, onText } = useDraft(arr, formatLines, parseLines, commit);
  return (
    <FieldFrame inputId={inputId} spec={spec} problems={problems}>
      <textarea
        id={inputId}
        rows={Math.min(8, Math.max(3, text.split("\n").length + 1))}
        value={text}
        onChange={(e) => onText(e.target.value)}
        aria-describedby={describedBy(inputId, spec)}
        placeholder="One per line"
      />
    </FieldFrame>
  );
}
