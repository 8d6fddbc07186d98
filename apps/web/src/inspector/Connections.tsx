import { useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { branchesOfNode } from "../doc/connect.js";
import { removeElements } from "../doc/ops.js";
import { connect } from "../state/canvas.js";
import { edit, useEditor } from "../state/store.js";

/** The keyboard way to connect: pick a branch and a target. Dragging between handles does the same. */
export function Connections({ nodeId }: { nodeId: string }) {
  const { doc, registry } = useEditor(useShallow((s) => ({ doc: s.doc, registry: s.registry })));
  const node = doc.nodes.find((n) => n.id === nodeId);
  const branches = branchesOfNode(doc, registry, nodeId);
  const [branch, setBranch] = useState("");
  const [target, setTarget] = useState("");
  if (!node) return null;
  const outgoing = doc.edges.map((e, i) => ({ e, i })).filter(({ e }) => e.from === nodeId);
  const incoming = doc.edges.filter((e) => e.to === nodeId);
  const targets = doc.nodes.filter((n) => n.id !== nodeId && registry.get(n.kind)?.terminal !== "start");
  const pickedBranch = branches ? branch || branches[0] || "" : "";
  const canOut = registry.get(node.kind)?.terminal !== "end";
  return (
    <section className="connections" aria-label="Connections">
      <h3>Connections</h3>
      {incoming.length > 0 && <p className="hint">From: {incoming.map((e) => `${e.from}${e.branch ? ` (${e.branch})` : ""}`).join(", ")}</p>}
      {outgoing.length > 0 && (
        <ul className="edge-list">
          {outgoing.map(({ e, i }) => (
            <li key={i}>
              <span>
                → {e.to}
                {e.branch ? <span className="chip">{e.branch}</span> : null}
              </span>
              <button
                type="button"
                className="small ghost"
                onClick={() => edit((d) => removeElements(d, { edges: [i] }))}
                aria-label={`Disconnect ${nodeId}${e.branch ? ` ${e.branch}` : ""} from ${e.to}`}
              >
                ✕
              </button>
            </li>
          ))}
        </ul>
      )}
      {canOut && (
        <div className="connect-row">
          {branches && (
            <select aria-label="Branch to connect" value={pickedBranch} onChange={(e) => setBranch(e.target.value)}>
              {branches.map((b) => (
                <option key={b} value={b}>
                  {b}
                </option>
              ))}
            </select>
          )}
          <select aria-label="Connect to node" value={target} onChange={(e) => setTarget(e.target.value)}>
            <option value="">(choose a node)</option>
            {targets.map((n) => (
              <option key={n.id} value={n.id}>
                {n.id}
              </option>
            ))}
          </select>
          <button
            type="button"
            className="small"
            disabled={!target}
            onClick={() => connect({ source: nodeId, target, sourceHandle: pickedBranch || null }) && setTarget("")}
          >
            Connect
          </button>
        </div>
      )}
    </section>
  );
}
