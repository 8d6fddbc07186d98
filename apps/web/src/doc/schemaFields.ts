import type { AnyNodeKind, FieldWidget } from "@braid/core";
import { z } from "zod";

/**
 * The inspector form of a kind, read from its zod config schema (through its JSON Schema):
 * field names, help texts from `.describe()`, bounds, enums, required keys. The widget is chosen
 * from the schema's shape, or named by the kind in zod metadata when the shape cannot say it (a
 * backend name, a template, a node or branch reference).
 */
export type Widget = FieldWidget | "text" | "json" | "number" | "boolean" | "enum" | "lines";

export interface FieldSpec {
  key: string;
  label: string;
  description?: string;
  required: boolean;
  widget: Widget;
  integer?: boolean;
  min?: number;
  max?: number;
  options?: string[];
  default?: unknown;
  /** For `branches`: the fields of one branch. */
  items?: FieldSpec[];
}

type JS = Record<string, unknown> & { properties?: Record<string, JS>; required?: string[] };

export function humanize(key: string): string {
  const words = key.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const KIND_WIDGETS: ReadonlySet<string> = new Set<FieldWidget>(["template", "nodeRef", "branchRef", "backend", "branches"]);

/** A kind names a field's widget with zod metadata (`.meta({ widget })`); plain types get the obvious one. */
function widgetFor(s: JS): Pick<FieldSpec, "widget" | "options" | "integer"> {
  if (typeof s.widget === "string" && KIND_WIDGETS.has(s.widget)) return { widget: s.widget as FieldWidget };
  const type = s.type;
  if (Array.isArray(s.enum)) return { widget: "enum", options: s.enum.map(String) };
  if (type === "integer") return { widget: "number", integer: true };
  if (type === "number") return { widget: "number" };
  if (type === "boolean") return { widget: "boolean" };
  if (type === "array") {
    const items = (s.items ?? {}) as JS;
    if (items.type === "string") return { widget: "lines" };
    return { widget: "json" };
  }
  if (type === "string") return { widget: "text" };
  return { widget: "json" };
}

function fieldsOf(schema: JS): FieldSpec[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([key, s]) => {
    const spec: FieldSpec = { key, label: humanize(key), required: required.has(key), ...widgetFor(s) };
    if (typeof s.description === "string") spec.description = s.description;
    if (typeof s.minimum === "number") spec.min = s.minimum;
    if (typeof s.maximum === "number") spec.max = s.maximum;
    if (s.default !== undefined) spec.default = s.default;
    if (spec.widget === "branches") spec.items = fieldsOf((s.items ?? {}) as JS);
    return spec;
  });
}

const cache = new WeakMap<AnyNodeKind, FieldSpec[]>();

export function configFields(kind: AnyNodeKind): FieldSpec[] {
  let fields = cache.get(kind);
  if (!fields) {
    const schema = z.toJSONSchema(kind.configSchema, { unrepresentable: "any", io: "input" }) as JS;
    fields = fieldsOf(schema);
    cache.set(kind, fields);
  }
  return fields;
}

/** `rules` / `complexity` … from "(rules strategy)" in a branch field's help: shown only for that strategy. */
export function strategyOf(field: FieldSpec): string | undefined {
  return /\((\w+) strategy\)/.exec(field.description ?? "")?.[1];
}
