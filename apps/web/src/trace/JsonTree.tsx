import { memo } from "react";
import { brief } from "./format.js";

/** Collapsible JSON: objects and arrays are <details> (open to `openDepth`), leaves are key: value. */
function JsonTreeView({ value, name, depth = 0, openDepth = 1 }: { value: unknown; name?: string; depth?: number; openDepth?: number }) {
  const key = name !== undefined ? <span className="jt-key">{name}: </span> : null;
  if (value !== null && typeof value === "object") {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value as Record<string, unknown>);
    const size = Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`;
    return (
      <details className="jt-node" open={depth < openDepth}>
        <summary>
          {key}
          <span className="jt-size">{size}</span> <span className="jt-preview">{brief(value, 60)}</span>
        </summary>
        <div className="jt-children">
          {entries.map(([k, v]) => (
            <JsonTree key={k} name={k} value={v} depth={depth + 1} openDepth={openDepth} />
          ))}
        </div>
      </details>
    );
  }
  const cls = value === null ? "jt-null" : `jt-${typeof value}`;
  return (
    <div className="jt-leaf">
      {key}
      <span className={cls}>{value === undefined ? "undefined" : JSON.stringify(value)}</span>
    </div>
  );
}

export const JsonTree = memo(JsonTreeView);
