/**
 * Canvas time-to-fit and pan fps at 300 and 1,000 nodes (the canvas issue). The server serves the
 * built web app; headless Chromium (Debian's, driven by Playwright) opens it with a generated
 * pipeline already in localStorage (the app's working copy, `braid.working.v1`, restored at start).
 *
 * - time to fit: navigation start → the first frame from which every node is rendered
 *   (`.react-flow__node`, measured, inside the pane) and the viewport transform stays unchanged
 *   for 500 ms (so the app's animated second fit has finished). Measured in the page by a rAF loop
 *   installed before the app's scripts run; each load is a fresh page of one browser context (the
 *   assets are in its HTTP cache after one uncounted warm-up load).
 * - pan fps: after the fit, the pane is dragged back and forth with the mouse in small steps for
 *   ~2 s while a rAF counter runs in the page; fps = callbacks / elapsed time.
 */
import { existsSync } from "node:fs";
import { defaultRegistry } from "@braid/nodes";
import { type Pipeline, lint, parsePipeline } from "@braid/engine";
import { type AnyBrowser, CHROMIUM, ensureWebBuilt, startApp } from "../lib/browser.js";
import { fmt, median } from "../lib/stats.js";
import type { Row, Scenario } from "../lib/types.js";

export const TARGETS = { fitMs: 2000, panFps: 45, appliesTo: 300 };

const STORAGE_KEY = "braid.working.v1";
const BACKENDS = ["generator", "enricher", "validator"];
// Nodes measure about 230 × 51 px; the grid leaves 40 px between columns and 44 px between rows.
const DX = 270;
const DY = 95;
// Width / height of the area fitView fills in the 1440 × 900 window (canvas minus the fit padding), about 584 × 533 px.
const ASPECT = 1.15;
const STABLE_MS = 500;
const PAN_MS = 2000;

/**
 * input → rows of generate nodes (each fed by the node above it) with every 4th row a row of
 * merges (each joining the two nodes above it) → one final merge → output, on a grid.
 */
export function canvasPipeline(total: number): Pipeline {
  const body = total - 3; // in, join, out
  const width = Math.max(2, Math.round(Math.sqrt((ASPECT * body * DY) / DX)));
  const rows = Math.ceil(body / width);
  const center = ((width - 1) * DX) / 2;
  const nodes: Record<string, unknown>[] = [{ id: "in", kind: "input", position: { x: center, y: 0 } }];
  const edges: { from: string; to: string }[] = [];
  let prev: string[] = [];
  let made = 0;
  for (let r = 0; r < rows; r++) {
    const row: string[] = [];
    const merges = r % 4 === 3;
    for (let c = 0; c < width && made < body; c++, made++) {
      const position = { x: c * DX, y: (r + 1) * DY };
      const above = prev[c] ?? prev[prev.length - 1];
      if (merges && above) {
        const id = `m${r}_${c}`;
        nodes.push({ id, kind: "merge", position, config: { strategy: "object" } });
        edges.push({ from: above, to: id });
        const other = prev[(c + 1) % prev.length];
        if (other && other !== above) edges.push({ from: other, to: id });
        row.push(id);
      } else {
        const id = `g${r}_${c}`;
        const from = above ?? "in";
        const ref = from === "in" ? "input.topic" : from;
        nodes.push({
          id,
          kind: "generate",
          label: `Step ${r + 1}.${c + 1}`,
          position,
          config: { backend: BACKENDS[(r + c) % 3], prompt: `Step ${r + 1}.${c + 1} from {{${ref}}}` },
        });
        edges.push({ from, to: id });
        row.push(id);
      }
    }
    prev = row;
  }
  // Every node nothing continues (the last row, and the tail of the row above a partial last row) ends in the join.
  const fed = new Set(edges.map((e) => e.from));
  const ends = nodes.map((n) => n.id as string).filter((id) => id !== "in" && !fed.has(id));
  const bottom = (rows + 1) * DY;
  nodes.push({ id: "join", kind: "merge", position: { x: center, y: bottom }, config: { strategy: "object" } });
  for (const id of ends) edges.push({ from: id, to: "join" });
  nodes.push({ id: "out", kind: "output", position: { x: center, y: bottom + DY }, config: { value: "{{join}}" } });
  edges.push({ from: "join", to: "out" });
  const parsed = parsePipeline({ format: "braid/pipeline@1", name: `canvas ${total}`, input: { example: { topic: "benchmarks" } }, nodes, edges });
  if (!parsed.ok) throw new Error(`generated ${total}-node pipeline is invalid: ${JSON.stringify(parsed.diagnostics.slice(0, 3))}`);
  const errors = lint(parsed.pipeline, { registry: defaultRegistry }).filter((d) => d.severity === "error");
  if (errors.length) throw new Error(`generated ${total}-node pipeline has lint errors: ${JSON.stringify(errors.slice(0, 3))}`);
  if (parsed.pipeline.nodes.length !== total) throw new Error(`generated ${parsed.pipeline.nodes.length} nodes, wanted ${total}`);
  return parsed.pipeline;
}

interface FitState {
  done: boolean;
  fitMs?: number;
  count: number;
  transform: string;
  frames: number;
  error?: string;
}

/** Runs in the page before the app: puts the document into localStorage and watches for the fit. */
function installFitWatch(arg: { key: string; stored: string; n: number; stableMs: number }) {
  if (location.protocol !== "http:") return; // about:blank before the navigation
  const w = window as unknown as { __braidFit: FitState };
  const state: FitState = { done: false, count: 0, transform: "", frames: 0 };
  w.__braidFit = state;
  try {
    // Only this document: nothing left over from the previous load (an active run, a bigger copy).
    localStorage.clear();
    localStorage.setItem(arg.key, arg.stored);
  } catch (e) {
    state.error = String(e);
  }
  let candidate: number | null = null;
  let last = "";
  const allIn = (nodes: NodeListOf<HTMLElement>): boolean => {
    const pane = document.querySelector(".react-flow")?.getBoundingClientRect();
    if (!pane) return false;
    for (const el of nodes) {
      if (el.style.visibility === "hidden") return false;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.left < pane.left - 1 || r.top < pane.top - 1 || r.right > pane.right + 1 || r.bottom > pane.bottom + 1) return false;
    }
    return true;
  };
  const tick = () => {
    state.frames++;
    const now = performance.now();
    const nodes = document.querySelectorAll<HTMLElement>(".react-flow__node");
    const t = document.querySelector<HTMLElement>(".react-flow__viewport")?.style.transform ?? "";
    state.count = nodes.length;
    state.transform = t;
    if (t !== last || nodes.length !== arg.n) candidate = null;
    last = t;
    if (candidate === null && nodes.length === arg.n && allIn(nodes)) candidate = now;
    if (candidate !== null && now - candidate >= arg.stableMs) {
      state.done = true;
      state.fitMs = candidate;
      return;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

interface PanResult {
  fps: number;
  frames: number;
  elapsedMs: number;
  maxFrameMs: number;
  transforms: number;
  moves: number;
}

interface LoadResult {
  fitMs: number;
  zoom: number;
  /** rAF rate over 1 s of no input after the fit: what the page reaches when nothing moves. */
  idleFps: number;
  pan: PanResult;
}

async function idleFps(page: AnyPage): Promise<number> {
  return (await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        let frames = 0;
        const t0 = performance.now();
        const f = () => {
          frames++;
          if (performance.now() - t0 < 1000) requestAnimationFrame(f);
          else resolve((frames * 1000) / (performance.now() - t0));
        };
        requestAnimationFrame(f);
      }),
  )) as number;
}

/** Playwright's Page type lives in the e2e package. */
type AnyPage = any;

/** A point on the empty pane (between nodes), near the pane's centre. */
async function panePoint(page: AnyPage): Promise<{ x: number; y: number }> {
  const p = await page.evaluate(() => {
    const r = document.querySelector(".react-flow")?.getBoundingClientRect();
    if (!r) return null;
    const cx = r.left + r.width / 2;
    const cy = r.top + r.height / 2;
    let best: { x: number; y: number; d: number } | null = null;
    for (let x = r.left + 80; x < r.right - 220; x += 7) {
      for (let y = r.top + 40; y < r.bottom - 140; y += 7) {
        const el = document.elementFromPoint(x, y);
        if (!el?.classList.contains("react-flow__pane")) continue;
        const d = Math.hypot(x - cx, y - cy);
        if (!best || d < best.d) best = { x, y, d };
      }
    }
    return best;
  });
  if (!p) throw new Error("no empty spot on the canvas pane to drag");
  return { x: p.x, y: p.y };
}

async function measurePan(page: AnyPage): Promise<PanResult> {
  const start = await panePoint(page);
  await page.mouse.move(start.x, start.y);
  await page.evaluate(() => {
    const w = window as unknown as { __braidPan: { frames: number; stamps: number[]; transforms: Set<string>; run: boolean; t0: number } };
    const s = { frames: 0, stamps: [] as number[], transforms: new Set<string>(), run: true, t0: performance.now() };
    w.__braidPan = s;
    const vp = document.querySelector<HTMLElement>(".react-flow__viewport");
    const f = (ts: number) => {
      if (!s.run) return;
      s.frames++;
      s.stamps.push(ts);
      s.transforms.add(vp?.style.transform ?? "");
      requestAnimationFrame(f);
    };
    requestAnimationFrame(f);
  });
  await page.mouse.down();
  const t0 = Date.now();
  let moves = 0;
  // Back and forth, 4 px per step, ±160 px horizontally and ±60 px vertically around the start.
  while (Date.now() - t0 < PAN_MS) {
    const phase = (moves * 4) / 160;
    const x = start.x + 160 * Math.sin(phase * (Math.PI / 2));
    const y = start.y + 60 * Math.sin(phase * (Math.PI / 4));
    await page.mouse.move(x, y);
    moves++;
  }
  await page.mouse.up();
  const r = (await page.evaluate(() => {
    const s = (window as unknown as { __braidPan: { frames: number; stamps: number[]; transforms: Set<string>; run: boolean; t0: number } }).__braidPan;
    s.run = false;
    const elapsed = performance.now() - s.t0;
    let max = 0;
    for (let i = 1; i < s.stamps.length; i++) max = Math.max(max, (s.stamps[i] as number) - (s.stamps[i - 1] as number));
    return { frames: s.frames, elapsedMs: elapsed, maxFrameMs: max, transforms: s.transforms.size };
  })) as Omit<PanResult, "fps" | "moves">;
  return { ...r, fps: (r.frames * 1000) / r.elapsedMs, moves };
}

async function load(context: AnyPage, url: string, n: number, withPan: boolean): Promise<LoadResult> {
  const page = await context.newPage();
  try {
    await page.goto(url, { waitUntil: "commit" });
    const fit = (await page
      .waitForFunction(
        () => (window as unknown as { __braidFit?: FitState }).__braidFit?.done && (window as unknown as { __braidFit: FitState }).__braidFit,
        null,
        {
          timeout: 60_000,
          polling: 100,
        },
      )
      .then((h: { jsonValue(): Promise<FitState> }) => h.jsonValue())
      .catch(async () => {
        const s = await page.evaluate(() => (window as unknown as { __braidFit?: FitState }).__braidFit);
        const text = (await page.evaluate(() => `${location.href}: ${document.body?.textContent?.slice(0, 200)}`).catch(() => "?")) as string;
        throw new Error(
          `the canvas did not fit ${n} nodes within 60 s (rendered ${s?.count ?? "?"} nodes, ${s?.frames ?? "?"} frames, transform ${s?.transform ?? "?"}, error ${s?.error ?? "none"}; ${JSON.stringify(text)})`,
        );
      })) as FitState;
    const zoom = Number(/scale\(([\d.]+)\)/.exec(fit.transform)?.[1] ?? Number.NaN);
    const idle = withPan ? await idleFps(page) : Number.NaN;
    const pan = withPan ? await measurePan(page) : { fps: Number.NaN, frames: 0, elapsedMs: 0, maxFrameMs: 0, transforms: 0, moves: 0 };
    if (withPan && pan.transforms < 10) throw new Error(`the pan did not move the canvas (${pan.transforms} distinct transforms)`);
    return { fitMs: fit.fitMs as number, zoom, idleFps: idle, pan };
  } finally {
    await page.close();
  }
}

async function measureSize(browser: AnyBrowser, url: string, n: number, loads: number, log: (m: string) => void) {
  const doc = canvasPipeline(n);
  const stored = JSON.stringify({ doc, savedJson: JSON.stringify(doc) });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    // tsx compiles with keepNames, so functions sent to the page may call esbuild's `__name`.
    await context.addInitScript({ content: "globalThis.__name ??= (f) => f;" });
    await context.addInitScript(installFitWatch, { key: STORAGE_KEY, stored, n, stableMs: STABLE_MS });
    const results: LoadResult[] = [];
    // One warm-up load (HTTP cache, first compile of the app's code), not counted.
    for (let i = -1; i < loads; i++) {
      const r = await load(context, url, n, i >= 0);
      if (i < 0) {
        log(`${n} nodes warm-up: fit ${fmt(r.fitMs, 0)} ms (not counted)`);
        continue;
      }
      results.push(r);
      log(
        `${n} nodes load ${i + 1}/${loads}: fit ${fmt(r.fitMs, 0)} ms at zoom ${fmt(r.zoom, 3)}; idle ${fmt(r.idleFps, 1)} fps; pan ${fmt(r.pan.fps, 1)} fps (${r.pan.frames} frames in ${fmt(r.pan.elapsedMs, 0)} ms, longest frame ${fmt(r.pan.maxFrameMs, 0)} ms, ${r.pan.moves} mouse moves)`,
      );
    }
    return { fitMs: median(results.map((r) => r.fitMs)), panFps: median(results.map((r) => r.pan.fps)), loads: results };
  } finally {
    await context.close();
  }
}

export const scenario: Scenario = {
  id: "canvas",
  title: "Canvas time-to-fit and pan fps (generated pipelines, headless Chromium)",
  async run({ quick, log }) {
    const sizes = quick ? [300] : [300, 1000];
    const loads = 3;
    if (!existsSync(CHROMIUM)) {
      return { rows: [{ metric: "time to fit / pan fps", value: "skipped", met: null, note: `no Chromium at ${CHROMIUM}` }], data: { skipped: true } };
    }
    ensureWebBuilt(log);
    const app = await startApp({ prefix: "canvas" });
    try {
      const rows: Row[] = [];
      const data: Record<string, unknown> = { loadsPerSize: loads, stableMs: STABLE_MS, panMs: PAN_MS, viewport: "1440x900" };
      for (const n of sizes) {
        const m = await measureSize(app.browser, app.url, n, loads, log);
        data[String(n)] = m;
        const targeted = n === TARGETS.appliesTo;
        rows.push(
          {
            metric: `${n.toLocaleString("en-US")} nodes: time to fit (median of ${loads})`,
            value: `${fmt(m.fitMs, 0)} ms`,
            target: targeted ? `< ${TARGETS.fitMs} ms` : "",
            met: targeted ? m.fitMs < TARGETS.fitMs : null,
          },
          {
            metric: `${n.toLocaleString("en-US")} nodes: pan fps (median of ${loads})`,
            value: `${fmt(m.panFps, 1)} fps`,
            target: targeted ? `≥ ${TARGETS.panFps} fps` : "",
            met: targeted ? m.panFps >= TARGETS.panFps : null,
          },
        );
      }
      return { rows, data };
    } catch (err) {
      const e = app.serverErr();
      throw new Error(`${(err as Error).message}${e ? `\nserver stderr: ${e}` : ""}`);
    } finally {
      await app.close();
    }
  },
};
