import { useEffect } from "react";
import { CompareDialog } from "./CompareDialog.js";
import { ForkDialog } from "./ForkDialog.js";
import { NodeDetails } from "./NodeDetails.js";
import { benchEnabled, benchQueue, runToResume, useTrace, watchRun } from "./store.js";
import "../styles/trace.css";

declare global {
  interface Window {
    __braidEventLatency?: number[];
  }
}

let resumed = false;

/**
 * The trace's parts that sit outside the run panel: node details beside the canvas, the fork and
 * compare dialogs, and on start the run that was live when the tab closed (or `?run=<id>`),
 * rebuilt from its events and followed on.
 */
export function TraceLayer() {
  const dialog = useTrace((s) => s.dialog);
  useEffect(() => {
    if (resumed) return;
    resumed = true;
    const runId = runToResume();
    if (runId) watchRun(runId);
  }, []);
  return (
    <>
      <NodeDetails />
      {dialog?.type === "fork" && <ForkDialog />}
      {dialog?.type === "compare" && <CompareDialog key={`${dialog.a}:${dialog.b}`} a={dialog.a} b={dialog.b} />}
      {benchEnabled && <BenchProbe />}
    </>
  );
}

/** `?bench=1`: after each committed render of new events, how long ago the server created them. */
function BenchProbe() {
  const rev = useTrace((s) => s.rev);
  useEffect(() => {
    if (rev === 0 || benchQueue.length === 0) return;
    const now = performance.timeOrigin + performance.now();
    window.__braidEventLatency ??= [];
    for (const at of benchQueue.splice(0)) window.__braidEventLatency.push(now - at);
  }, [rev]);
  return null;
}
