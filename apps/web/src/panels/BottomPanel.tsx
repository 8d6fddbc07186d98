import { useShallow } from "zustand/react/shallow";
import { StatusLine } from "../components/Chrome.js";
import { useEditor } from "../state/store.js";
import { useTrace } from "../trace/store.js";
import { Problems } from "./Problems.js";
import { RunPanel } from "./RunPanel.js";

export function BottomPanel() {
  const { panel, errors, warnings } = useEditor(
    useShallow((s) => ({
      panel: s.panel,
      errors: s.diagnostics.filter((d) => d.severity === "error").length,
      warnings: s.diagnostics.filter((d) => d.severity === "warning").length,
    })),
  );
  const runStatus = useTrace((s) => s.brief.status);
  const tab = (id: "problems" | "run", label: string) => (
    <button
      type="button"
      role="tab"
      id={`tab-${id}`}
      aria-selected={panel === id}
      aria-controls={`tabpanel-${id}`}
      className={panel === id ? "tab active" : "tab"}
      onClick={() => useEditor.setState({ panel: id })}
    >
      {label}
    </button>
  );
  return (
    <section className="bottom" aria-label="Problems and run">
      <div className="bottom-head">
        <div role="tablist" aria-label="Bottom panel" className="tabs">
          {tab("problems", `Problems${errors + warnings ? ` (${errors + warnings})` : ""}`)}
          {tab("run", `Run${runStatus !== "idle" ? ` · ${runStatus}` : ""}`)}
        </div>
        {/* Messages sit beside the tabs, never over the canvas's nodes or handles. */}
        <StatusLine />
      </div>
      <div role="tabpanel" id={`tabpanel-${panel}`} aria-labelledby={`tab-${panel}`} className="tabpanel">
        {panel === "problems" ? <Problems /> : <RunPanel />}
      </div>
    </section>
  );
}
