// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { cleanCss, parseSafeSvg, svgFile, svgHazards } from "./sanitizeSvg.js";

const hostile = `<svg id="braid-mermaid-1" xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="0 0 120.5 80" style="max-width: 120px;" onload="alert(1)">
<style>#braid-mermaid-1 .node rect{fill:#fff;} @import url(https://evil.example/x.css); .x{background:url(https://evil.example/p.png)} .m{marker-end:url(#arrow)}</style>
<script>alert(1)</script>
<g class="node" onclick="alert(2)"><rect width="10" height="10"/>
<a href="javascript:alert(3)"><text>link</text></a>
<a xlink:href="javascript:alert(4)" xmlns:xlink="http://www.w3.org/1999/xlink"><text>x</text></a>
<set attributeName="href" to="javascript:alert(5)"/>
<animate attributeName="href" values="javascript:alert(6)"/>
<image href="https://evil.example/track.png"/>
<foreignObject width="100" height="20"><div xmlns="http://www.w3.org/1999/xhtml"><span class="nodeLabel">&lt;img src=x onerror=alert(1)&gt;<br>next</span><img src="x" onerror="alert(7)"/><iframe src="javascript:alert(8)"></iframe></div></foreignObject>
<path d="M0,0L1,1" marker-end="url(#arrow)" style="stroke:red"/>
</g></svg>`;

describe("SVG sanitising", () => {
  it("removes scripts, handlers, script URLs, animations and external loads", () => {
    const svg = parseSafeSvg(hostile);
    expect(svg).not.toBeNull();
    if (!svg) return;
    expect(svgHazards(svg)).toEqual([]);
    const text = svg.outerHTML;
    expect(text).not.toMatch(/<script/i);
    expect(text).not.toMatch(/\son\w+="/i);
    expect(text).not.toMatch(/href="javascript:/i);
    expect(text).not.toMatch(/<(set|animate|image|iframe|img)\b/i);
    expect(text).not.toContain("evil.example");
  });
  it("keeps the diagram: labels as text, markers, styles", () => {
    const svg = parseSafeSvg(hostile);
    if (!svg) throw new Error("no svg");
    expect(svg.querySelector(".nodeLabel")?.textContent).toContain("<img src=x onerror=alert(1)>");
    expect(svg.querySelector("path")?.getAttribute("marker-end")).toBe("url(#arrow)");
    expect(svg.querySelector("style")?.textContent).toContain("#braid-mermaid-1 .node rect{fill:#fff;}");
    expect(svg.querySelector("style")?.textContent).toContain("marker-end:url(#arrow)");
  });
  it("writes a well-formed standalone file with the viewBox's size", () => {
    const svg = parseSafeSvg(hostile);
    if (!svg) throw new Error("no svg");
    const file = svgFile(svg);
    expect(file.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    const xml = new DOMParser().parseFromString(file, "image/svg+xml");
    expect(xml.getElementsByTagName("parsererror")).toHaveLength(0);
    const root = xml.documentElement;
    expect(root.getAttribute("width")).toBe("121");
    expect(root.getAttribute("height")).toBe("80");
    expect(svgHazards(root)).toEqual([]);
    expect(file).toContain("&lt;img src=x onerror=alert(1)&gt;");
  });
  it("returns null when there is no SVG", () => {
    expect(parseSafeSvg("<div>no</div>")).toBeNull();
    expect(parseSafeSvg("")).toBeNull();
  });
  it("cleans CSS", () => {
    expect(cleanCss("a{b:url(http://x/y)} c{d:url(#m)} @import 'x'; e{f:expression(alert(1))}")).toBe("a{b:none} c{d:url(#m)}  e{f:alert(1))}");
  });
});
