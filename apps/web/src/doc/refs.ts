import type { PipelineNode, Registry } from "@braid/core";
import { getPath, setPath } from "./paths.js";

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Replaces `old` where it is a root name in an expression (`old.x`, `$count(old)`), not inside other names. */
export function renameInExpression(text: string, oldId: string, newId: string): string {
  const re = new RegExp(`(?<![A-Za-z0-9_$.-])${escapeRe(oldId)}(?![A-Za-z0-9_-])`, "g");
  return text.replace(re, newId);
}

/** Replaces `old` as a root inside every `{{ }}` hole of a template. */
export function renameInTemplate(text: string, oldId: string, newId: string): string {
  return text.replace(/\{\{([\s\S]*?)\}\}/g, (_m, inner: string) => `{{${renameInExpression(inner, oldId, newId)}}}`);
}

/**
 * Rewrites the references to a renamed node inside one node's config, using the fields the kind
 * itself reports (node refs, templates, expressions): nothing here knows kind names.
 */
export function renameRefsInConfig(node: PipelineNode, oldId: string, newId: string, registry: Registry): PipelineNode {
  const kind = registry.get(node.kind);
  if (!kind || !node.config) return node;
  const parsed = kind.configSchema.safeParse(node.config);
  if (!parsed.success) return node;
  const refs = kind.refs(parsed.data);
  let config: Record<string, unknown> = node.config;
  for (const r of refs.nodes) if (r.id === oldId && getPath(config, r.field) === oldId) config = setPath(config, r.field, newId);
  for (const t of refs.templates) {
    const cur = getPath(config, t.field);
    if (typeof cur === "string") {
      const next = renameInTemplate(cur, oldId, newId);
      if (next !== cur) config = setPath(config, t.field, next);
    }
  }
  for (const x of refs.expressions) {
    const cur = getPath(config, x.field);
    if (typeof cur === "string") {
      const next = renameInExpression(cur, oldId, newId);
      if (next !== cur) config = setPath(config, x.field, next);
    }
  }
  return config === node.config ? node : { ...node, config };
}
