import { type BackendAvailability, type Diagnostic, type Pipeline, type Registry, lint } from "@braid/core";
import type { BackendView } from "../api/client.js";
import { useEditor } from "./store.js";

export function availability(backends: readonly BackendView[] | null): BackendAvailability[] | undefined {
  if (!backends) return undefined;
  return backends.map((b) => {
    const a: BackendAvailability = { name: b.name, provider: b.provider, simulated: b.simulated, enabled: b.enabled, available: b.available };
    if (b.reason) a.reason = b.reason;
    if (b.group) a.group = b.group;
    return a;
  });
}

/** The engine's own lint, in the browser; backend names are checked once the server has listed them. */
export function lintDoc(doc: Pipeline, registry: Registry, backends: readonly BackendView[] | null): Diagnostic[] {
  const b = availability(backends);
  try {
    return lint(doc, b ? { registry, backends: b } : { registry });
  } catch (err) {
    return [{ code: "E_INTERNAL", severity: "error", message: `lint failed: ${(err as Error).message}` }];
  }
}

/** Lints now (Run uses this so it never acts on stale diagnostics). */
export function lintNow(): Diagnostic[] {
  const s = useEditor.getState();
  if (s.lintedDoc === s.doc) return s.diagnostics;
  const diagnostics = lintDoc(s.doc, s.registry, s.backends);
  useEditor.setState({ diagnostics, lintedDoc: s.doc });
  return diagnostics;
}

/** Re-lints after every change, lightly debounced so typing stays smooth. */
export function startLinting(delayMs = 90): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(lintNow, delayMs);
  };
  schedule();
  return useEditor.subscribe((s, prev) => {
    if (s.doc !== prev.doc) schedule();
    else if (s.backends !== prev.backends) {
      useEditor.setState({ lintedDoc: null });
      schedule();
    }
  });
}
