import { readFileSync } from "node:fs";
import { inflateRawSync } from "node:zlib";
import { type Download, type Locator, type Page, expect } from "@playwright/test";
import { discardIfAsked } from "./helpers.js";

/** The hostile-strings fixture (test-fixtures/, a copy of the project's shared fixture). */
export const fixture = JSON.parse(readFileSync(new URL("../test-fixtures/hostile-strings.json", import.meta.url), "utf8")) as {
  labels: string[];
  canarySecrets: string[];
};

/** Payloads that would call the page's canary if any of them ever ran. */
export const CANARY_PAYLOADS = [
  "<img src=x onerror=__xss('img')>",
  '<img src="x" onerror="window.__xss(\'img2\')">',
  "<svg onload=__xss('svg')></svg>",
  "<script>__xss('script')</script>",
  "javascript:__xss('href')",
  "click n_g0 call __xss('click')",
  "click n_g1 href \"javascript:__xss('clickhref')\"",
  '%%{init: {"securityLevel":"loose"}}%%',
  '"]) --> evil["x',
  "<a href=\"javascript:__xss('a')\">link</a>",
  "<iframe src=\"javascript:__xss('iframe')\"></iframe>",
  "<style>@import url(javascript:__xss('css'))</style>",
];

type Node = { id: string; kind: string; label?: string; position: { x: number; y: number }; config?: Record<string, unknown> };

/** A pipeline with every hostile label of the fixture (and the canary payloads) as labels, prompts, branch labels and description. */
export function hostileDoc(): Record<string, unknown> {
  const texts = [...fixture.labels, ...CANARY_PAYLOADS];
  const nodes: Node[] = [{ id: "in", kind: "input", label: '%%{init: {"securityLevel":"loose"}}%%', position: { x: 0, y: 0 } }];
  const edges: Array<{ from: string; to: string; branch?: string }> = [];
  let prev = "in";
  texts.forEach((text, i) => {
    const id = `g${i}`;
    nodes.push({
      id,
      kind: "generate",
      label: text,
      position: { x: (i % 4) * 280, y: 140 + Math.floor(i / 4) * 160 },
      config: { backend: "generator", prompt: `${text} {{input.topic}}` },
    });
    edges.push({ from: prev, to: id });
    prev = id;
  });
  const y = 140 + Math.ceil(texts.length / 4) * 160;
  nodes.push({
    id: "route",
    kind: "route",
    label: "<img src=x onerror=__xss('route')>",
    position: { x: 0, y },
    config: {
      strategy: "rules",
      branches: [
        { id: "a", label: "<script>__xss('branch')</script>", when: "true" },
        { id: "b", label: '"]) --> evil["x' },
      ],
      default: "b",
    },
  });
  edges.push({ from: prev, to: "route" });
  nodes.push({ id: "out", kind: "output", label: "javascript:__xss('out')", position: { x: 0, y: y + 200 } });
  edges.push({ from: "route", to: "out", branch: "a" }, { from: "route", to: "out", branch: "b" });
  return {
    format: "braid/pipeline@1",
    name: "Hostile <img src=x onerror=__xss('name')>",
    description: "<script>__xss('description')</script> javascript:__xss('d')",
    input: { example: { topic: "<img src=x onerror=__xss('input')>" } },
    nodes,
    edges,
  };
}

/** A pipeline with the fixture's canary secrets in every free-text and extra field a document can hold. */
export function canaryDoc(): Record<string, unknown> {
  const [key = "sk-canary-0123456789abcdef", bearer = "Bearer canary-token-xyz", url = "postgres://user:canary-pass@db:5432/x"] = fixture.canarySecrets;
  return {
    format: "braid/pipeline@1",
    name: `Canary ${key}`,
    description: `Uses ${bearer} against ${url}`,
    input: { example: { topic: "cats", apiKey: key, db: url }, schema: { type: "object", description: bearer } },
    settings: { token: "canary-plain-token-field", headers: { Authorization: bearer } },
    nodes: [
      { id: "in", kind: "input", label: `In ${key}`, position: { x: 0, y: 0 } },
      {
        id: "gen",
        kind: "generate",
        label: `Gen ${bearer}`,
        position: { x: 0, y: 160 },
        config: {
          backend: key,
          prompt: `Call ${url} with ${bearer} and key ${key} about {{input.topic}}`,
          apiKey: key,
          password: "canary-plain-password",
          headers: { Authorization: bearer, "X-Api-Key": key },
          extra: { dsn: url, note: `token ${bearer}` },
        },
        notes: `node extra field ${key}`,
      },
      {
        id: "route",
        kind: "route",
        label: "Route",
        position: { x: 0, y: 320 },
        config: {
          strategy: "rules",
          branches: [
            { id: "a", label: `A ${key}`, when: "true" },
            { id: "b", label: bearer },
          ],
          default: "b",
        },
      },
      { id: "out", kind: "output", label: `Out ${url}`, position: { x: 0, y: 480 }, config: { value: `{{gen}} ${bearer}` } },
    ],
    edges: [
      { from: "in", to: "gen" },
      { from: "gen", to: "route" },
      { from: "route", to: "out", branch: "a" },
      { from: "route", to: "out", branch: "b", note: key },
    ],
  };
}

/** Every string that must never leave in an export: the fixture's canaries and the plain secret fields above. */
export const CANARY_NEEDLES = [...fixture.canarySecrets, "canary-token-xyz", "canary-pass", "sk-canary", "canary-plain-token-field", "canary-plain-password"];

/** Imports a document through the Import dialog, as a user pasting JSON would. */
export async function importJson(page: Page, doc: unknown): Promise<void> {
  await page.getByRole("button", { name: "Import", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Import a pipeline" });
  await dialog.getByRole("textbox", { name: "Pipeline JSON or Mermaid" }).fill(JSON.stringify(doc, null, 2));
  await dialog.getByRole("button", { name: "Import", exact: true }).click();
  await discardIfAsked(page);
  await expect(dialog).toBeHidden();
}

export async function openExport(page: Page): Promise<Locator> {
  await page.getByRole("button", { name: "Export", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Export" });
  await expect(dialog.locator(".mermaid-svg svg")).toBeVisible({ timeout: 20_000 });
  return dialog;
}

/** Waits for the preview to show a new render (after an option changed). */
export async function rerendered(dialog: Locator, before: string | null): Promise<void> {
  await expect.poll(async () => dialog.locator(".mermaid-svg svg").getAttribute("id"), { timeout: 20_000 }).not.toBe(before);
}

export async function downloadText(page: Page, dialog: Locator, button: string): Promise<{ name: string; text: string }> {
  const d = await download(page, dialog, button);
  const path = await d.path();
  return { name: d.suggestedFilename(), text: readFileSync(path, "utf8") };
}

/** A downloaded zip's files as text, read with Node's own inflate (stored or deflated entries). */
export async function downloadZip(page: Page, dialog: Locator, button: string): Promise<{ name: string; files: Record<string, string> }> {
  const d = await download(page, dialog, button);
  const buf = readFileSync(await d.path());
  const files: Record<string, string> = {};
  let at = 0;
  // Local file headers (PK\x03\x04) follow one another until the central directory.
  while (at + 30 <= buf.length && buf.readUInt32LE(at) === 0x04034b50) {
    const method = buf.readUInt16LE(at + 8);
    const size = buf.readUInt32LE(at + 18);
    const nameLength = buf.readUInt16LE(at + 26);
    const extraLength = buf.readUInt16LE(at + 28);
    const name = buf.toString("utf8", at + 30, at + 30 + nameLength);
    const start = at + 30 + nameLength + extraLength;
    const data = buf.subarray(start, start + size);
    files[name] = (method === 8 ? inflateRawSync(data) : data).toString("utf8");
    at = start + size;
  }
  return { name: d.suggestedFilename(), files };
}

export async function download(page: Page, dialog: Locator, button: string): Promise<Download> {
  const [d] = await Promise.all([page.waitForEvent("download"), dialog.getByRole("button", { name: button, exact: true }).click()]);
  return d;
}

/** Sets up the traps a payload would spring: a `__xss` canary, native dialogs, and CSP violations. */
export async function installXssTraps(page: Page): Promise<{ dialogs: string[] }> {
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __xss: (tag?: string) => void; __xssCalls: string[]; __csp: string[] };
    w.__xssCalls = [];
    w.__csp = [];
    w.__xss = (tag = "?") => void w.__xssCalls.push(String(tag));
    document.addEventListener("securitypolicyviolation", (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return { dialogs };
}

export async function xssReport(page: Page): Promise<{ calls: string[]; csp: string[] }> {
  return page.evaluate(() => {
    const w = window as unknown as { __xssCalls: string[]; __csp: string[] };
    return { calls: w.__xssCalls, csp: w.__csp };
  });
}

/** Problems in an SVG, checked in the browser's own parser: handlers, script, script URLs, foreign loads. */
export async function svgProblems(page: Page, svgText: string, mime: "image/svg+xml" | "text/html" = "image/svg+xml"): Promise<string[]> {
  return page.evaluate(
    ({ text, type }) => {
      const doc = new DOMParser().parseFromString(text, type);
      const problems: string[] = [];
      if (doc.getElementsByTagName("parsererror").length) problems.push("not well-formed");
      const root = type === "text/html" ? doc.querySelector("svg") : doc.documentElement;
      if (!root) return ["no svg"];
      for (const el of [root, ...root.querySelectorAll("*")]) {
        const tag = el.localName.toLowerCase();
        if (["script", "iframe", "object", "embed", "image", "img", "use", "set", "animate"].includes(tag)) problems.push(`<${tag}>`);
        for (const a of [...el.attributes]) {
          if (a.name.toLowerCase().startsWith("on")) problems.push(`${a.name} on <${tag}>`);
          if (/^\s*javascript:/i.test(a.value)) problems.push(`javascript: in ${a.name} on <${tag}>`);
          if (/href$/i.test(a.name) && !a.value.startsWith("#")) problems.push(`external ${a.name} on <${tag}>`);
        }
      }
      return problems;
    },
    { text: svgText, type: mime },
  );
}

/** Drops a file onto an element with a real DataTransfer, as a drag from the desktop would. */
export async function dropFile(page: Page, selector: string, file: { name: string; type: string; text: string }): Promise<void> {
  await page.evaluate(
    ({ sel, f }) => {
      const target = document.querySelector(sel);
      if (!target) throw new Error(`nothing matches ${sel}`);
      const dt = new DataTransfer();
      dt.items.add(new File([f.text], f.name, { type: f.type }));
      const r = target.getBoundingClientRect();
      const at = { clientX: r.left + r.width / 2, clientY: r.top + r.height / 2 };
      for (const type of ["dragenter", "dragover", "drop"])
        target.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt, ...at }));
    },
    { sel: selector, f: file },
  );
}

/** Pastes text onto the page (not into a text box), as Ctrl+V on the canvas would. */
export async function pasteText(page: Page, text: string): Promise<void> {
  await page.evaluate((t) => {
    const dt = new DataTransfer();
    dt.setData("text/plain", t);
    document.body.dispatchEvent(new ClipboardEvent("paste", { bubbles: true, cancelable: true, clipboardData: dt }));
  }, text);
}
