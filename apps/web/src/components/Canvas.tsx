import {
  Background,
  type Connection,
  ControlButton,
  Controls,
  type Edge,
  type EdgeTypes,
  type FitViewOptions,
  MiniMap,
  type Node,
  Panel,
  type NodeTypes,
  ReactFlow,
  type ReactFlowState,
  useReactFlow,
  useStore,
} from "@xyflow/react";
import { type DragEvent, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useShallow } from "zustand/react/shallow";
import { type BraidEdgeData, type BraidFlowNode, deriveEdges, deriveNodes } from "../doc/derive.js";
import { moveNodes } from "../doc/ops.js";
import { addNodeAt, deleteElements, connect, validateConnection } from "../state/canvas.js";
import { interpretEdgeChanges, interpretNodeChanges } from "../state/flowChanges.js";
import { edit, useEditor } from "../state/store.js";
import { COMPACT_ZOOM, type Insets, fitMinZoom, fitViewport } from "../state/fit.js";
import { viewport } from "../state/viewport.js";
import { ReplayBanner } from "../trace/ReplayBanner.js";
import { TracedEdge } from "../trace/TracedEdge.js";
import { traceEdges } from "../trace/edges.js";
import { openDetails, useTrace } from "../trace/store.js";
import { BraidEdge } from "./BraidEdge.js";
import { BraidNode, CompactContext } from "./BraidNode.js";

export const KIND_MIME = "application/x-braid-kind";

// Module scope: a new object on every render would make React Flow re-mount every node.
const nodeTypes: NodeTypes = { braid: BraidNode };
const edgeTypes: EdgeTypes = { default: BraidEdge, traced: TracedEdge };
const NONE: ReadonlySet<string> = new Set();
const NO_DIAGNOSTICS: never[] = [];
const DELETE_KEYS = ["Backspace", "Delete"];
// Sized in canvas units, not stroke widths: highlighted (thicker) run edges keep normal arrowheads.
const defaultEdgeOptions = { markerEnd: { type: "arrowclosed" as const, width: 30, height: 30, markerUnits: "userSpaceOnUse" } };
// Room for the run banner on top, the zoom buttons on the left and the minimap on the right, so no node hides under them.
const insetsFor = (minimap: boolean): Insets => ({ top: 64, bottom: 24, left: 60, right: minimap ? 170 : 28 });
const MIN_ZOOM = 0.1;
const MINIMAP_MAX_NODES = 300;
const FIT_MAX_ZOOM = 1.1;
// The first fit, before the app's own (fitView below): same room, no readable floor yet (sizes are not known).
const fitViewOptions: FitViewOptions = { padding: { top: "64px", bottom: "24px", left: "60px", right: "170px" }, maxZoom: FIT_MAX_ZOOM };
const proOptions = { hideAttribution: false };

const fitNow = () => viewport.fitView();
// A boolean: the canvas re-renders when the zoom crosses the threshold, not on every zoom frame.
const isCompact = (s: ReactFlowState) => s.transform[2] < COMPACT_ZOOM;

const miniMapColor = (n: { data?: unknown }) => {
  const d = n.data as BraidFlowNode["data"] | undefined;
  if (d?.severity === "error") return "#e5484d";
  return { input: "#30a46c", output: "#6e56cf", generate: "#3e63dd", critique: "#f76b15", route: "#8e4ec6", merge: "#12a594" }[d?.node.kind ?? ""] ?? "#8b8d98";
};

export function Canvas() {
  const { doc, registry, diagnostics, selection, measured, drag, backends } = useEditor(
    useShallow((s) => ({
      doc: s.doc,
      registry: s.registry,
      diagnostics: s.diagnostics,
      selection: s.selection,
      measured: s.measured,
      drag: s.drag,
      backends: s.backends,
    })),
  );
  // A run opened from the history is drawn on its own graph (the version it executed), read-only;
  // a run of the working document is laid over the document itself.
  const trace = useTrace(
    useShallow((s) => ({
      runDoc: s.graph === "run" && s.runId ? (s.pipeline ?? null) : null,
      taken: s.taken,
      running: s.running,
      active: s.runId !== undefined && s.step > 0,
    })),
  );
  const readOnly = trace.runDoc !== null;
  const cache = useRef(new Map<string, BraidFlowNode>()).current;
  const runCache = useRef(new Map<string, BraidFlowNode>()).current;
  const selectedNodes = useMemo(() => new Set(selection.nodes), [selection.nodes]);
  const selectedEdges = useMemo(() => new Set(selection.edges), [selection.edges]);
  const nodes = useMemo(
    () =>
      trace.runDoc
        ? deriveNodes(
            { doc: trace.runDoc, registry, diagnostics: NO_DIAGNOSTICS, selectedNodes: NONE, selectedEdges: NONE, measured, drag: null, backends },
            runCache,
          )
        : deriveNodes({ doc, registry, diagnostics, selectedNodes, selectedEdges, measured, drag, backends }, cache),
    [trace.runDoc, doc, registry, diagnostics, selectedNodes, selectedEdges, measured, drag, backends, cache, runCache],
  );
  const baseEdges = useMemo(
    () => (trace.runDoc ? deriveEdges(trace.runDoc, NO_DIAGNOSTICS, NONE, registry) : deriveEdges(doc, diagnostics, selectedEdges, registry)),
    [trace.runDoc, doc, diagnostics, selectedEdges, registry],
  );
  const edges = useMemo(() => traceEdges(baseEdges, trace.taken, trace.running, trace.active), [baseEdges, trace.taken, trace.running, trace.active]);

  const rf = useReactFlow();
  const compact = useStore(isCompact);
  const wrapper = useRef<HTMLDivElement>(null);
  // Redrawn on every pan frame: above MINIMAP_MAX_NODES it starts hidden (one click shows it).
  const [minimap, setMinimap] = useState(() => useEditor.getState().doc.nodes.length <= MINIMAP_MAX_NODES);
  const minimapRef = useRef(minimap);
  minimapRef.current = minimap;
  useEffect(() => {
    viewport.fitView = (duration = 250) => {
      const r = wrapper.current?.getBoundingClientRect();
      const nodes = rf.getNodes();
      if (!r || !nodes.length) return;
      const next = fitViewport(rf.getNodesBounds(nodes), r, insetsFor(minimapRef.current), { min: fitMinZoom(nodes.length, MIN_ZOOM), max: FIT_MAX_ZOOM });
      void rf.setViewport(next, { duration });
    };
    // A node just added where the view had no room: fit everything if that shows it, else centre on it.
    viewport.reveal = (id) => {
      const r = wrapper.current?.getBoundingClientRect();
      const n = rf.getInternalNode(id);
      if (!r || !n) return;
      const nodes = rf.getNodes();
      const i = insetsFor(minimapRef.current);
      const next = fitViewport(rf.getNodesBounds(nodes), r, i, { min: fitMinZoom(nodes.length, MIN_ZOOM), max: FIT_MAX_ZOOM });
      const p = n.internals.positionAbsolute;
      const w = n.measured.width ?? 240;
      const h = n.measured.height ?? 110;
      const left = p.x * next.zoom + next.x;
      const top = p.y * next.zoom + next.y;
      const shown = left >= i.left && top >= i.top && left + w * next.zoom <= r.width - i.right && top + h * next.zoom <= r.height - i.bottom;
      if (shown) void rf.setViewport(next, { duration: 250 });
      else void rf.setCenter(p.x + w / 2, p.y + h / 2, { zoom: rf.getZoom(), duration: 250 });
    };
    viewport.visibleRect = () => {
      const r = wrapper.current?.getBoundingClientRect();
      if (!r) return { x: 0, y: 0, width: 0, height: 0 };
      const i = insetsFor(minimapRef.current);
      const a = rf.screenToFlowPosition({ x: r.left + i.left, y: r.top + i.top });
      const b = rf.screenToFlowPosition({ x: r.right - i.right, y: r.bottom - i.bottom });
      return { x: a.x, y: a.y, width: Math.max(0, b.x - a.x), height: Math.max(0, b.y - a.y) };
    };
    viewport.zoomToNode = (id) => void rf.fitView({ nodes: [{ id }], duration: 300, maxZoom: 1.3, minZoom: 0.6, padding: 0.8 });
    viewport.center = () => {
      const r = wrapper.current?.getBoundingClientRect();
      return r ? rf.screenToFlowPosition({ x: r.left + r.width / 2 - 115, y: r.top + r.height / 3 }) : { x: 0, y: 0 };
    };
  }, [rf]);

  // The first fit can run before every node is measured; fit again once they are.
  // Not animated: nothing to follow yet, and an animation would only delay a usable canvas.
  const onInit = useCallback(() => setTimeout(() => viewport.fitView(0), 80), []);
  const onNodesChange = useCallback((changes: Parameters<typeof interpretNodeChanges>[0]) => {
    // On a run's own graph only sizes are kept: nothing may edit the working document from there.
    if (useTrace.getState().graph === "run" && useTrace.getState().runId) changes = changes.filter((c) => c.type === "dimensions");
    const r = interpretNodeChanges(changes, useEditor.getState());
    if (Object.keys(r.patch).length) useEditor.setState(r.patch);
    const commit = r.commit;
    if (commit) edit((d) => moveNodes(d, commit), { key: "move" });
  }, []);
  const onEdgesChange = useCallback((changes: Parameters<typeof interpretEdgeChanges>[0]) => {
    if (useTrace.getState().graph === "run" && useTrace.getState().runId) return;
    const patch = interpretEdgeChanges(changes, useEditor.getState());
    if (patch) useEditor.setState(patch);
  }, []);
  const onDelete = useCallback(({ nodes, edges }: { nodes: { id: string }[]; edges: Edge[] }) => {
    deleteElements(
      nodes.map((n) => n.id),
      edges.map((e) => (e.data as BraidEdgeData | undefined)?.index ?? -1).filter((i) => i >= 0),
    );
  }, []);
  const onConnect = useCallback((c: Connection) => void connect({ source: c.source, target: c.target, sourceHandle: c.sourceHandle }), []);
  const isValidConnection = useCallback(
    (c: Connection | Edge) => validateConnection({ source: c.source, target: c.target, sourceHandle: c.sourceHandle ?? null }),
    [],
  );
  const onDragOver = useCallback((e: DragEvent) => {
    if (!e.dataTransfer.types.includes(KIND_MIME)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
  }, []);
  const onNodeClick = useCallback((_: unknown, n: Node) => {
    if (useTrace.getState().graph === "run" && useTrace.getState().runId) openDetails(n.id);
  }, []);
  const onDrop = useCallback(
    (e: DragEvent) => {
      const kind = e.dataTransfer.getData(KIND_MIME);
      if (!kind || readOnly) return;
      e.preventDefault();
      const p = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      addNodeAt(kind, { x: p.x - 115, y: p.y - 30 });
    },
    [rf, readOnly],
  );

  return (
    <div className={readOnly ? "canvas canvas-run" : "canvas"} ref={wrapper}>
      <CompactContext.Provider value={compact}>
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          onNodeClick={onNodeClick}
          nodesDraggable={!readOnly}
          nodesConnectable={!readOnly}
          elementsSelectable={!readOnly}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onDelete={onDelete}
          onConnect={onConnect}
          onDragOver={onDragOver}
          onDrop={onDrop}
          isValidConnection={isValidConnection}
          defaultEdgeOptions={defaultEdgeOptions}
          deleteKeyCode={readOnly ? null : DELETE_KEYS}
          multiSelectionKeyCode={["Meta", "Control", "Shift"]}
          fitView
          fitViewOptions={fitViewOptions}
          onInit={onInit}
          minZoom={MIN_ZOOM}
          maxZoom={2}
          // Large graphs: the first render (before the fit) draws only the nodes in view.
          onlyRenderVisibleElements={(trace.runDoc ?? doc).nodes.length > 200}
          proOptions={proOptions}
          aria-label="Pipeline canvas"
        >
          <Background gap={20} size={1} />
          <ReplayBanner />
          {!readOnly && doc.nodes.length <= 2 && (
            <Panel position="top-left" className="canvas-hint">
              Add nodes from the palette (drag, or press Enter on one). Connect them by dragging from a node's bottom handle to another node's top handle.
            </Panel>
          )}
          {minimap && <MiniMap pannable zoomable nodeColor={miniMapColor} ariaLabel="Minimap" style={{ width: 140, height: 90 }} />}
          <Panel position="bottom-right" className={minimap ? "minimap-toggle minimap-toggle-open" : "minimap-toggle"}>
            <button type="button" className="small ghost" onClick={() => setMinimap((v) => !v)} aria-pressed={minimap}>
              {minimap ? "Hide minimap" : "Show minimap"}
            </button>
          </Panel>
          <Controls showInteractive={false} showFitView={false} aria-label="Zoom controls">
            {/* The app's fit (readable floor, room for the overlays), not React Flow's. */}
            <ControlButton onClick={fitNow} title="Fit view (F)" aria-label="Fit View">
              ⤢
            </ControlButton>
          </Controls>
        </ReactFlow>
      </CompactContext.Provider>
    </div>
  );
}
