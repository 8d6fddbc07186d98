import { type AnyNodeKind, NODE_ID_PATTERN } from "@braid/core";
import { z } from "zod";
import { BRANCH_ID_PATTERN } from "./ids.js";

/**
 * The inspector form of a kind, read from its zod config schema (through its JSON Schema):
 * field names, help texts from `.describe()`, bounds, enums, required keys. The widget is chosen
 * from the schema's shape; a few field names add meaning the schema cannot carry (a backend name,
 * a template).
 */
export type Widget = "backend" | "template" | "text" | "json" | "number" | "boolean" | "enum" | "lines" | "nodeRef" | "branchRef" | "branches";

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

/** String fields that hold `{{path}}` templates. */
export const TEMPLATE_KEYS = new Set(["prompt", "system", "value", "subject"]);

export function humanize(key: string): string {
  const words = key.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function widgetFor(key: string, s: JS, hasBranches: boolean): Pick<FieldSpec, "widget" | "options" | "integer"> {
  const type = s.type;
  if (Array.isArray(s.enum)) return { widget: "enum", options: s.enum.map(String) };
  if (type === "integer") return { widget: "number", integer: true };
  if (type === "number") return { widget: "number" };
  if (type === "boolean") return { widget: "boolean" };
  if (type === "array") {
    const items = (s.items ?? {}) as JS;
    if (items.type === "string") return { widget: "lines" };
    if (key === "branches" && hasBranches && items.type === "object") return { widget: "branches" };
    return { widget: "json" };
  }
  if (type === "string") {
    if (key === "backend") return { widget: "backend" };
    if (s.pattern === NODE_ID_PATTERN.source) return { widget: "nodeRef" };
    if (s.pattern === BRANCH_ID_PATTERN.source && hasBranches) return { widget: "branchRef" };
    if (TEMPLATE_KEYS.has(key) || String(s.description ?? "").includes("{{")) return { widget: "template" };
    return { widget: "text" };
  }
  return { widget: "json" };
}

function fieldsOf(schema: JS, hasBranches: boolean): FieldSpec[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([key, s]) => {
    const spec: FieldSpec = { key, label: humanize(key), required: required.has(key), ...widgetFor(key, s, hasBranches) };
    if (typeof s.description === "string") spec.description = s.description;
    if (typeof s.minimum === "number") spec.min = s.minimum;
    if (typeof s.maximum === "number") spec.max = s.maximum;
    if (s.default !== undefined) spec.default = s.default;
    if (spec.widget === "branches") spec.items = fieldsOf((s.items ?? {}) as JS, false);
    return spec;
  });
}

const cache = new WeakMap<AnyNodeKind, FieldSpec[]>();

export function configFields(kind: AnyNodeKind): FieldSpec[] {
  let fields = cache.get(kind);
  if (!fields) {
    const schema = z.toJSONSchema(kind.configSchema, { unrepresentable: "any", io: "input" }) as JS;
    fields = fieldsOf(schema, typeof kind.branches === "function");
    cache.set(kind, fields);
  }
  return fields;
}

/** `rules` / `complexity` … from "(rules strategy)" in a branch field's help: shown only for that strategy. */
export function strategyOf(field: FieldSpec): string | undefined {
  return /\((\w+) strategy\)/.exec(field.description ?? "")?.[1];
}
