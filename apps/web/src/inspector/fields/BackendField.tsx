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
        {cur !== "" && !picked && <option value={cur}>{cur} (unknown backend)</option>}
        {backends.map((b) => (
          <option key={b.name} value={b.name} disabled={!b.available && b.name !== cur}>
            {b.name} — {b.model || b.provider}
            {b.simulated ? " (simulated)" : ""}
            {!b.available ? " (unavailable)" : ""}
          </option>
        ))}
      </select>
      {picked && (
        <span className="backend-note">
          {picked.simulated ? <span className="badge badge-sim">simulated</span> : <span className="badge">{picked.provider}</span>}{" "}
          {picked.pricing.input || picked.pricing.output ? `$${picked.pricing.input}/$${picked.pricing.output} per 1k tokens` : "free"}
          {picked.latencyMs !== undefined ? ` · ~${picked.latencyMs} ms` : ""}
        </span>
      )}
    </FieldFrame>
  );
}
