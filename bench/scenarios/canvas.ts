/**
 * PLACEHOLDER: canvas time-to-fit and pan fps at 300 and 1,000 nodes, from the canvas issue.
 * Nothing is measured yet. To add it, replace `run` with a browser measurement (Playwright driving
 * Chromium on the web app's canvas) and return real rows; the key stays "canvas".
 */
import { NOT_MEASURED, type Row, type Scenario } from "../lib/types.js";

export const scenario: Scenario = {
  id: "canvas",
  title: "Canvas time-to-fit and pan fps (placeholder)",
  async run() {
    const rows: Row[] = [];
    for (const n of [300, 1000]) {
      rows.push({ metric: `${n} nodes: time to fit`, value: NOT_MEASURED, met: null }, { metric: `${n} nodes: pan fps`, value: NOT_MEASURED, met: null });
    }
    return { placeholder: true, rows, data: { status: NOT_MEASURED } };
  },
};
