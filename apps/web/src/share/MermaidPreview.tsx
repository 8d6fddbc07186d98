import { useEffect, useRef, useState } from "react";
import { renderMermaid } from "./mermaidRender.js";

/** Room the frame keeps around the diagram (its padding), in CSS pixels. */
const FRAME_PAD = 28;
const MIN_FIT_ZOOM = 0.5;

/** Sizes the diagram to the frame (never larger than its natural size) or shows it at its natural size. */
function size(svg: SVGSVGElement, frame: HTMLElement, fit: boolean): void {
  const box = svg.viewBox.baseVal;
  if (!box || box.width <= 0 || box.height <= 0) return;
  svg.style.maxWidth = "none";
  svg.style.height = "auto";
  if (!fit) {
    svg.style.width = `${Math.ceil(box.width)}px`;
    return;
  }
  const maxW = Math.max(120, frame.clientWidth - FRAME_PAD);
  const maxH = Math.max(120, Number.parseFloat(getComputedStyle(frame).maxHeight) - FRAME_PAD || 560);
  // Fitting never shrinks text below half size: a long pipeline scrolls instead of becoming a smudge.
  const width = Math.max(Math.min(box.width, maxW, (maxH * box.width) / box.height), box.width * MIN_FIT_ZOOM);
  svg.style.width = `${Math.floor(width)}px`;
}

/**
 * A Mermaid diagram, rendered with `securityLevel: 'strict'` and sanitised again before it is
 * put on the page. The SVG is attached as DOM nodes; no user text is ever set as HTML here.
 */
export function MermaidPreview({ text, label, onRendered }: { text: string; label: string; onRendered?: (svg: SVGSVGElement | null) => void }) {
  const frame = useRef<HTMLDivElement>(null);
  const host = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<{ status: "rendering" } | { status: "ok" } | { status: "error"; error: string }>({ status: "rendering" });
  const [fit, setFit] = useState(true);
  const fitRef = useRef(fit);
  fitRef.current = fit;
  const notify = useRef(onRendered);
  notify.current = onRendered;

  useEffect(() => {
    let current = true;
    setState({ status: "rendering" });
    // Options change in quick clicks: render once they settle.
    const timer = setTimeout(() => {
      void renderMermaid(text).then((r) => {
        if (!current) return;
        const el = host.current;
        if (!r.ok || !el) {
          el?.replaceChildren();
          setState({ status: "error", error: r.ok ? "The preview is not on screen." : r.error });
          notify.current?.(null);
          return;
        }
        const svg = document.importNode(r.svg, true);
        svg.setAttribute("role", "img");
        svg.setAttribute("aria-label", label);
        el.replaceChildren(svg);
        if (frame.current) size(svg, frame.current, fitRef.current);
        setState({ status: "ok" });
        notify.current?.(r.svg);
      });
    }, 60);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [text, label]);

  useEffect(() => {
    const svg = host.current?.querySelector("svg");
    if (svg && frame.current) size(svg, frame.current, fit);
  }, [fit]);

  return (
    <div className="mermaid-block">
      <div className="mermaid-head">
        <span className="muted">Preview</span>
        <button type="button" className="small" onClick={() => setFit(!fit)} aria-pressed={!fit} disabled={state.status !== "ok"}>
          {fit ? "Actual size" : "Fit to window"}
        </button>
      </div>
      <div ref={frame} className="mermaid-preview" aria-busy={state.status === "rendering"}>
        {state.status === "rendering" && <p className="mermaid-status">Rendering the diagram…</p>}
        {state.status === "error" && (
          <p className="mermaid-status field-error" role="alert">
            Mermaid could not render this diagram: {state.error}
          </p>
        )}
        <div ref={host} className="mermaid-svg" data-testid="mermaid-preview" />
      </div>
    </div>
  );
}
