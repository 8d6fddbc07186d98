import { useEditor } from "../../state/store.js";
import { type FieldProps, FieldFrame, describedBy } from "./FieldFrame.js";

/** Picks a configured backend; simulated backends say so. Falls back to free text while the list is unknown. */
export function BackendField({ inputId, spec, value, onChange, problems }: FieldProps) {
  const backends = useEditor((s) => s.backends);
  const cur = typeof value === "string" ? value : "";
  if (!backends) {
    return (
      <FieldFrame inputId={inputId} spec={spec} problems={problems}>
        <input id={inputId} type="text" value={cur} onChange={(e) => onChange(e.target.value || undefined)} aria-describedby={describedBy(inputId, spec)} />
      </FieldFrame>
    );
  }
  const picked = backends.find((b) => b.name === cur);
  // Nodes may name a group instead of a backend (calls spread over its backends by weight).
  const groups = [...new Set(backends.map((b) => b.group).filter((g): g is string => !!g && !backends.some((b) => b.name === g)))];
  return (
    <FieldFrame inputId={inputId} spec={spec} problems={problems}>
      <select
        id={inputId}
        value={cur}
        onChange={(e) => onChange(e.target.value || undefined)}
        aria-describedby={describedBy(inputId, spec)}
        aria-required={spec.required}
      >
        {(!spec.required || cur === "") && <option value="">(none)</option>}
        {cur !== "" && !picked && !groups.includes(cur) && <option value={cur}>{cur} (unknown backend)</option>}
        {backends.map((b) => (
          <option key={b.name} value={b.name} disabled={!b.available && b.name !== cur}>
            {b.name} — {b.model || b.provider}
            {b.simulated ? " (simulated)" : ""}
            {!b.enabled ? " (disabled)" : !b.available ? " (unavailable)" : ""}
          </option>
        ))}
        {groups.map((g) => (
          <option key={`group:${g}`} value={g}>
            {g} — group of {backends.filter((b) => b.group === g).length}
          </option>
        ))}
      </select>
      {picked && (
        <span className="backend-note">
          {picked.simulated ? <span className="badge badge-sim">simulated</span> : <span className="badge">{picked.provider}</span>}{" "}
          {!picked.enabled ? (
            <span className="badge badge-bad">disabled</span>
          ) : !picked.available ? (
            <span className="badge badge-bad">unavailable</span>
          ) : null}{" "}
          {picked.pricing.input || picked.pricing.output ? `$${picked.pricing.input}/$${picked.pricing.output} per 1k tokens` : "free"}
          {picked.latencyMs !== undefined ? ` · ~${picked.latencyMs} ms` : ""}
          {!picked.enabled ? " · enable it on the Backends page" : !picked.available && picked.reason ? ` · ${picked.reason}` : ""}
        </span>
      )}
    </FieldFrame>
  );
}
