import DOMPurify from "dompurify";

/**
 * A second line of defence after Mermaid's own `securityLevel: 'strict'` sanitising: whatever
 * Mermaid hands back goes through DOMPurify (the sanitiser Mermaid itself uses) with its SVG
 * and HTML profiles, before it is shown or downloaded. The labels reaching Mermaid are already
 * entity-encoded by the engine's exporter, so in practice there is nothing to strip; this makes
 * the guarantee not depend on that. Two rules are ours, on top of DOMPurify's allow-lists: a
 * diagram references only its own fragments (`#marker-id`), never another URL, so nothing in an
 * exported file fetches; and CSS (which DOMPurify does not parse) loses imports and external urls.
 */

const SVG_NS = "http://www.w3.org/2000/svg";

const URL_ATTRS = new Set(["href", "xlink:href", "src", "action", "formaction", "data", "poster", "background", "srcset", "ping"]);

/** A url() that points anywhere but a fragment of this same SVG (markers, gradients) is dropped. */
const EXTERNAL_CSS_URL = /url\(\s*(['"]?)(?!#)[^)]*\1\s*\)/gi;
const CSS_DANGER = /@import[^;]*;?|expression\s*\(|javascript:|-moz-binding|behavior\s*:/gi;

export function cleanCss(css: string): string {
  return css.replace(CSS_DANGER, "").replace(EXTERNAL_CSS_URL, "none");
}

let purifier: ReturnType<typeof DOMPurify> | undefined;

function purify(): ReturnType<typeof DOMPurify> {
  if (purifier) return purifier;
  const p = DOMPurify(globalThis.window);
  p.addHook("uponSanitizeAttribute", (_node, data) => {
    const name = data.attrName.toLowerCase();
    if (URL_ATTRS.has(name) || name.endsWith(":href")) {
      if (!data.attrValue.trim().startsWith("#")) data.keepAttr = false;
    } else if (name === "style") data.attrValue = cleanCss(data.attrValue);
  });
  p.addHook("afterSanitizeElements", (node) => {
    if (node.nodeName.toLowerCase() === "style") node.textContent = cleanCss(node.textContent ?? "");
  });
  purifier = p;
  return p;
}

/**
 * Sanitises Mermaid's SVG markup and returns the cleaned `<svg>` element, detached (append it or
 * import it with `document.importNode` to show it).
 */
export function parseSafeSvg(markup: string): SVGSVGElement | null {
  const fragment = purify().sanitize(markup, {
    USE_PROFILES: { svg: true, svgFilters: true, html: true },
    // Mermaid's labels are HTML inside <foreignObject>; images and <use> could fetch or pull in content.
    ADD_TAGS: ["foreignObject"],
    HTML_INTEGRATION_POINTS: { foreignobject: true },
    FORBID_TAGS: ["image", "use", "img", "a"],
    RETURN_DOM_FRAGMENT: true,
  });
  const svg = fragment.firstElementChild;
  if (svg?.localName !== "svg" || svg.namespaceURI !== SVG_NS) return null;
  // HTML inside <foreignObject> keeps a literal `xmlns` attribute that XML serialisers then write twice.
  for (const el of svg.querySelectorAll("[xmlns]")) el.removeAttribute("xmlns");
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
