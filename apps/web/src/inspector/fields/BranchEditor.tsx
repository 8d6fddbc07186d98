import { useCallback, useMemo, useState } from "react";
import { addBranch, branchIdProblem, removeBranch, renameBranch, setBranchField } from "../../doc/ops.js";
import { type FieldSpec, strategyOf } from "../../doc/schemaFields.js";
import { edit, notify, useEditor } from "../../state/store.js";
import { type Parsed, useDraft } from "../useDraft.js";
import type { FieldProps } from "./FieldFrame.js";
import { numberParser } from "./NumberField.js";

type Branch = { id: string; [k: string]: unknown };

/** Route branches: add, rename (edges and default follow), remove, and the per-strategy fields. */
export function BranchEditor({ inputId, spec, value, nodeId, problems }: FieldProps) {
  const branches = (Array.isArray(value) ? value : []) as Branch[];
  const strategy = useEditor((s) => s.doc.nodes.find((n) => n.id === nodeId)?.config?.strategy);
  const fields = (spec.items ?? []).filter((f) => f.key !== "id" && (strategyOf(f) === undefined || strategyOf(f) === strategy));
  return (
    <fieldset className="field branches" aria-describedby={problems.length ? `${inputId}-problems` : undefined}>
      <legend className="field-label">Branches</legend>
      <p className="field-help">Each branch is an output handle on the node. Renaming one keeps its connections.</p>
      {branches.map((b, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the position is part of a branch's identity (ids may repeat in an invalid config)
        <BranchRow key={`${i}:${b.id}`} nodeId={nodeId} index={i} branch={b} fields={fields} canRemove={branches.length > 1} inputId={`${inputId}-${i}`} />
      ))}
      <button
        type="button"
        className="small"
        onClick={() => {
          let added = "";
          edit((d) => {
            const r = addBranch(d, nodeId);
            added = r.branch;
            return r.doc;
          });
          notify(`Added branch "${added}".`);
        }}
      >
        + Add branch
      </button>
      {problems.length > 0 && (
        <div id={`${inputId}-problems`}>
          {problems.map((p) => (
            <p className="field-problem" key={p}>
              {p}
            </p>
          ))}
        </div>
      )}
    </fieldset>
  );
}

function BranchRow(props: { nodeId: string; index: number; branch: Branch; fields: FieldSpec[]; canRemove: boolean; inputId: string }) {
  const { nodeId, index, branch, fields, inputId } = props;
  const [draft, setDraft] = useState(branch.id);
  const [error, setError] = useState<string | undefined>();
  const n = index + 1;
  const commitId = () => {
    if (draft === branch.id) return setError(undefined);
    const problem = branchIdProblem(useEditor.getState().doc, nodeId, branch.id, draft);
    if (problem) return setError(problem);
    setError(undefined);
    edit((d) => renameBranch(d, nodeId, branch.id, draft));
    notify(`Renamed branch "${branch.id}" to "${draft}".`);
  };
  return (
    <fieldset className="branch-row">
      <legend className="sr-only">{`Branch ${n}: ${branch.id}`}</legend>
      <div className="branch-line">
        <label className="sr-only" htmlFor={`${inputId}-id`}>{`Branch ${n} id`}</label>
        <input
          id={`${inputId}-id`}
          className="branch-id"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={commitId}
          onKeyDown={(e) => {
            if (e.key === "Enter") commitId();
            if (e.key === "Escape") setDraft(branch.id);
          }}
          aria-invalid={!!error}
          aria-describedby={error ? `${inputId}-err` : undefined}
        />
        <button
          type="button"
          className="small ghost"
          disabled={!props.canRemove}
          onClick={() => edit((d) => removeBranch(d, nodeId, branch.id))}
          aria-label={`Remove branch ${branch.id}`}
        >
          ✕
        </button>
      </div>
      {error && (
        <p className="field-error" id={`${inputId}-err`} role="alert">
          {error}
        </p>
      )}
      {fields.map((f) => (
        <BranchValue
          key={f.key}
          nodeId={nodeId}
          index={index}
          branch={branch}
          field={f}
          label={`Branch ${n} ${f.label.toLowerCase()}`}
          inputId={`${inputId}-${f.key}`}
        />
      ))}
    </fieldset>
  );
}

const formatValue = (v: unknown) => (v === undefined ? "" : String(v));
const parseText = (t: string): Parsed<unknown> => ({ ok: true, value: t === "" ? undefined : t });

function BranchValue(props: { nodeId: string; index: number; branch: Branch; field: FieldSpec; label: string; inputId: string }) {
  const { nodeId, index, branch, field, label, inputId } = props;
  const numeric = field.widget === "number";
  const key = field.key;
  const parse = useMemo(() => (numeric ? (numberParser({ ...field, required: false }) as (t: string) => Parsed<unknown>) : parseText), [numeric, field]);
  const commit = useCallback(
    (v: unknown) => edit((d) => setBranchField(d, nodeId, index, key, v), { key: `branch:${nodeId}:${index}:${key}` }),
    [nodeId, index, key],
  );
  const { text, error, onText } = useDraft(branch[key], formatValue, parse, commit);
  return (
    <div className="branch-value">
      <label htmlFor={inputId}>{field.label}</label>
      <input
        id={inputId}
        aria-label={label}
        type={numeric ? "number" : "text"}
        min={field.min}
        max={field.max}
        value={text}
        onChange={(e) => onText(e.target.value)}
        title={field.description}
        aria-invalid={!!error}
      />
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
