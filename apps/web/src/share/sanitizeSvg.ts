/**
 * A second line of defence after Mermaid's own `securityLevel: 'strict'` sanitising: whatever
 * Mermaid hands back is parsed inertly (a DOMParser document runs no script and loads nothing),
 * stripped of anything that could run or fetch, and only then shown or downloaded. The labels
 * reaching Mermaid are already entity-encoded by the engine's exporter, so in practice there is
 * nothing to strip; this makes the guarantee not depend on that.
 */

const SVG_NS = "http://www.w3.org/2000/svg";

/** Elements that run script, embed documents, or animate attributes (an `<set>` can rewrite an href). */
const FORBIDDEN = new Set([
  "script",
  "iframe",
  "frame",
  "frameset",
  "object",
  "embed",
  "applet",
  "link",
  "meta",
  "base",
  "form",
  "input",
  "button",
  "textarea",
  "select",
  "audio",
  "video",
  "source",
  "track",
  "image",
  "img",
  "use",
  "set",
  "animate",
  "animatemotion",
  "animatetransform",
  "animatecolor",
  "handler",
  "listener",
  "discard",
  "portal",
  "template",
]);

const URL_ATTRS = new Set(["href", "xlink:href", "src", "action", "formaction", "data", "poster", "background", "srcset", "ping"]);

/** A url() that points anywhere but a fragment of this same SVG (markers, gradients) is dropped. */
const EXTERNAL_CSS_URL = /url\(\s*(['"]?)(?!#)[^)]*\1\s*\)/gi;
const CSS_DANGER = /@import[^;]*;?|expression\s*\(|javascript:|-moz-binding|behavior\s*:/gi;

export function cleanCss(css: string): string {
  return css.replace(CSS_DANGER, "").replace(EXTERNAL_CSS_URL, "none");
}

/** Removes, in place, everything in `root` that could run script or load something. */
export function sanitizeSvgTree(root: Element): void {
  const walk = (el: Element) => {
    for (const child of [...el.children]) {
      if (FORBIDDEN.has(child.localName.toLowerCase())) child.remove();
      else walk(child);
    }
    for (const attr of [...el.attributes]) {
      const name = attr.name.toLowerCase();
      // HTML inside <foreignObject> keeps a literal `xmlns` attribute that XML serialisers then write twice.
      if (name === "xmlns" && el !== root) {
        el.removeAttribute(attr.name);
        continue;
      }
      const value = attr.value;
      if (name.startsWith("on")) el.removeAttribute(attr.name);
      else if (URL_ATTRS.has(name) || name.endsWith(":href")) {
        // In-document references (`#marker-id`) are all a diagram needs.
        if (!value.trim().startsWith("#")) el.removeAttribute(attr.name);
      } else if (name === "style") el.setAttribute(attr.name, cleanCss(value));
      else if (/^\s*(javascript|vbscript|data):/i.test(value)) el.removeAttribute(attr.name);
    }
    if (el.localName.toLowerCase() === "style") el.textContent = cleanCss(el.textContent ?? "");
  };
  walk(root);
}

/**
 * Parses Mermaid's SVG markup without running anything and returns the cleaned `<svg>` element
 * (owned by a detached document: import it with `document.importNode` to show it).
 */
export function parseSafeSvg(markup: string, parser: DOMParser = new DOMParser()): SVGSVGElement | null {
  // Mermaid serialises HTML labels the HTML way (`<br>`), so read it as HTML, not as XML.
  const doc = parser.parseFromString(`<!doctype html><html><body>${markup}</body></html>`, "text/html");
  const svg = doc.body.querySelector("svg");
  if (!svg || svg.namespaceURI !== SVG_NS) return null;
  sanitizeSvgTree(svg);
  return svg as SVGSVGElement;
}

/**
 * A standalone .svg file: well-formed XML (`<br/>`, namespaces), with a fixed size taken from
 * the viewBox so it opens at its natural size outside a web page.
 */
export function svgFile(svg: SVGSVGElement, serializer: XMLSerializer = new XMLSerializer()): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  const box = (copy.getAttribute("viewBox") ?? "")
    .trim()
    .split(/[\s,]+/)
    .map(Number);
  const [, , w, h] = box;
  if (box.length === 4 && w !== undefined && h !== undefined && Number.isFinite(w) && Number.isFinite(h) && w > 0 && h > 0) {
    copy.setAttribute("width", String(Math.ceil(w)));
    copy.setAttribute("height", String(Math.ceil(h)));
    copy.style.removeProperty("max-width");
  }
  if (!copy.getAttribute("xmlns")) copy.setAttribute("xmlns", SVG_NS);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${serializer.serializeToString(copy)}\n`;
}

/** Problems a test (or a paranoid caller) can check an SVG text for: handlers, script, script URLs. */
export function svgHazards(root: Element): string[] {
  const found: string[] = [];
  const all = [root, ...root.querySelectorAll("*")];
  for (const el of all) {
    if (el.localName.toLowerCase() === "script") found.push("<script> element");
    for (const attr of [...el.attributes]) {
      if (attr.name.toLowerCase().startsWith("on")) found.push(`${attr.name} attribute on <${el.localName}>`);
      if (/^\s*javascript:/i.test(attr.value)) found.push(`javascript: URL in ${attr.name} on <${el.localName}>`);
    }
  }
  return found;
}
