import { isActiveStatus } from "@braid/core";
import { Panel } from "@xyflow/react";
import { useShallow } from "zustand/react/shallow";
import { shortId } from "./format.js";
import { closeRun, useTrace } from "./store.js";

/** Over the canvas while a run is shown: whose graph this is, and the way back to editing. */
export function ReplayBanner() {
  const t = useTrace(
    useShallow((s) => ({
      runId: s.runId,
      graph: s.graph,
      version: s.info?.pipelineVersion,
      name: s.pipeline?.name,
      status: s.view.status,
      follow: s.follow,
      step: s.step,
      total: s.items.length,
    })),
  );
  if (!t.runId) return null;
  const where = t.follow
    ? isActiveStatus(t.status)
      ? "live"
      : t.status === "waiting"
        ? "waiting for review"
        : t.status
    : `replay at step ${t.step} of ${t.total}`;
  return (
    <Panel position="top-center" className={`replay-banner replay-${t.graph}`}>
      <span>
        Run <code>{shortId(t.runId)}</code> · {where}
        {t.graph === "run" && (
          <>
            {" "}
            · the graph it ran{t.version !== undefined ? ` (version ${t.version})` : ""}
            {t.name ? ` of “${t.name}”` : ""}, read-only
          </>
        )}
      </span>
      <button
        type="button"
        className="small"
        onClick={closeRun}
        aria-label={t.graph === "run" ? "Close run and go back to editing" : "Clear run from the canvas"}
      >
        {t.graph === "run" ? "Back to editing" : "Clear run"}
      </button>
    </Panel>
  );
}
