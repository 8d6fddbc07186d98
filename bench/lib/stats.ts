import { percentile } from "@braid/engine";

export const median = (values: number[]): number => percentile(values, 0.5);

export const fmt = (n: number, digits = 2): string => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

export const fmtInt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a");

/** Gives the event loop and GC a moment between measurements. */
export async function settle(): Promise<void> {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((r) => setTimeout(r, 20));
}
