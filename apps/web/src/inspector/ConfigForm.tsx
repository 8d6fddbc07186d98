import type { AnyNodeKind, Diagnostic, PipelineNode } from "@braid/core";
import { type ComponentType, useCallback, useId, useRef, useState } from "react";
import { setConfigField } from "../doc/ops.js";
import { type FieldSpec, type Widget, configFields } from "../doc/schemaFields.js";
import { edit } from "../state/store.js";
import { BackendField } from "./fields/BackendField.js";
import { BooleanField, BranchRefField, EnumField, LinesField, NodeRefField, TextField } from "./fields/BasicFields.js";
import { BranchEditor } from "./fields/BranchEditor.js";
import type { FieldProps } from "./fields/FieldFrame.js";
import { JsonField } from "./fields/JsonField.js";
import { NumberField } from "./fields/NumberField.js";
import { TemplateField } from "./fields/TemplateField.js";

const WIDGETS: Record<Widget, ComponentType<FieldProps>> = {
  backend: BackendField,
  template: TemplateField,
  text: TextField,
  json: JsonField,
  number: NumberField,
  boolean: BooleanField,
  enum: EnumField,
  lines: LinesField,
  nodeRef: NodeRefField,
  branchRef: BranchRefField,
  branches: BranchEditor,
};

/** The inspector form generated from the kind's zod config schema. */
export function ConfigForm({ kind, node, index, diagnostics }: { kind: AnyNodeKind; node: PipelineNode; index: number; diagnostics: Diagnostic[] }) {
  const fields = configFields(kind);
  const baseId = useId();
  const prefix = `nodes[${index}].config`;
  const problemsOf = (key: string) =>
    diagnostics
      .filter((d) => d.path === `${prefix}.${key}` || d.path?.startsWith(`${prefix}.${key}.`) || d.path?.startsWith(`${prefix}.${key}[`))
      .map((d) => d.message);
  // Optional settings that are not set wait behind "More settings"; once shown, a field stays (no jumps while typing).
  const [showAll, setShowAll] = useState(false);
  const everShown = useRef(new Set<string>()).current;
  if (!fields.length) return <p className="hint">This kind has no settings.</p>;
  const isSet = (f: FieldSpec) => node.config !== undefined && Object.hasOwn(node.config, f.key);
  const visible = fields.filter((f) => showAll || fields.length <= 3 || f.required || isSet(f) || everShown.has(f.key) || problemsOf(f.key).length > 0);
  for (const f of visible) everShown.add(f.key);
  const hidden = fields.length - visible.length;
  return (
    <div className="config-form">
      {visible.map((f) => (
        <Field key={`${node.id}:${f.key}`} spec={f} node={node} inputId={`${baseId}-${f.key}`} problems={problemsOf(f.key)} />
      ))}
      {(hidden > 0 || showAll) && (
        <button
          type="button"
          className="small more"
          aria-expanded={showAll}
          onClick={() => {
            if (showAll) everShown.clear();
            setShowAll(!showAll);
          }}
        >
          {showAll ? "Fewer settings" : `More settings (${hidden})`}
        </button>
      )}
    </div>
  );
}

function Field({ spec, node, inputId, problems }: { spec: FieldSpec; node: PipelineNode; inputId: string; problems: string[] }) {
  const nodeId = node.id;
  const key = spec.key;
  const onChange = useCallback((v: unknown) => edit((d) => setConfigField(d, nodeId, key, v), { key: `cfg:${nodeId}:${key}` }), [nodeId, key]);
  const Widget = WIDGETS[spec.widget];
  const value = node.config && Object.hasOwn(node.config, key) ? node.config[key] : undefined;
  return <Widget inputId={inputId} spec={spec} value={value} onChange={onChange} nodeId={nodeId} problems={problems} />;
}
