import type { Mermaid } from "mermaid";
import { parseSafeSvg } from "./sanitizeSvg.js";

/**
 * Mermaid in the browser: loaded on first use (it is large and only Export and shared links
 * need it), initialised once with `securityLevel: 'strict'` (never 'loose': labels are
 * sanitised and click handlers disabled), and rendered with ids from a counter (not React's
 * useId, whose `:r1:` ids are not valid CSS selectors, and which Mermaid would reuse).
 */
let loading: Promise<Mermaid> | undefined;
let counter = 0;

export function loadMermaid(): Promise<Mermaid> {
  loading ??= import("mermaid").then(({ default: mermaid }) => {
    mermaid.initialize({
      startOnLoad: false,
      securityLevel: "strict",
      theme: "default",
      // Errors come back to us; Mermaid must not draw its "syntax error" bomb into the page.
      suppressErrorRendering: true,
      // Big pipelines: the preview renders the diagram without the embedded JSON, but stay generous.
      maxTextSize: 500_000,
      maxEdges: 5000,
      fontFamily: "ui-sans-serif, system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
      flowchart: { curve: "basis", padding: 12, nodeSpacing: 36, rankSpacing: 46, wrappingWidth: 220 },
    });
    return mermaid;
  });
  return loading;
}

export const nextRenderId = (): string => `braid-mermaid-${++counter}`;

export type RenderResult = { ok: true; svg: SVGSVGElement; id: string } | { ok: false; error: string };

/** Renders Mermaid text to a sanitised `<svg>` element (detached, from an inert document). */
export async function renderMermaid(text: string): Promise<RenderResult> {
  const id = nextRenderId();
  try {
    const mermaid = await loadMermaid();
    const { svg } = await mermaid.render(id, text);
    const el = parseSafeSvg(svg);
    if (!el) return { ok: false, error: "Mermaid returned no diagram." };
    return { ok: true, svg: el, id };
  } catch (err) {
    // Mermaid leaves its scratch element behind when a render throws.
    document.getElementById(id)?.remove();
    document.getElementById(`d${id}`)?.remove();
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}
