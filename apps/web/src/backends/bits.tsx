import type { BreakerState } from "@braid/core";
import { formatCount, formatMs } from "./format.js";
import { type TestState, clearTest } from "./state.js";

const PROVIDER_SHORT: Record<string, string> = {
  simulated: "Simulated",
  openai: "OpenAI-compatible",
  ollama: "Ollama (native)",
  anthropic: "Anthropic",
};

export function ProviderText({ provider }: { provider: string }) {
  return <span className="bp-provider">{PROVIDER_SHORT[provider] ?? provider}</span>;
}

const BREAKER_TEXT: Record<BreakerState, { text: string; title: string }> = {
  closed: { text: "breaker closed", title: "Healthy: calls go through" },
  open: { text: "breaker open", title: "Too many failures in a row: calls are refused (or go to the fallback) until it cools down" },
  "half-open": { text: "breaker half-open", title: "Cooling down is over: the next call decides whether it closes again" },
  isolated: { text: "breaker isolated", title: "Held open by hand: no calls go through" },
};

export function BreakerBadge({ state }: { state: BreakerState }) {
  const t = BREAKER_TEXT[state] ?? { text: `breaker ${state}`, title: "" };
  return (
    <span className={`badge bp-breaker bp-breaker-${state}`} title={t.title}>
      {t.text}
    </span>
  );
}

/** The answer of "Test connection": latency and the reply, or what went wrong. */
export function TestOutcome({ state, label, onDismiss }: { state: TestState; label: string; onDismiss?: string }) {
  if (state.pending) {
    return (
      <p className="bp-test bp-test-pending" role="status" aria-label={label}>
        Testing the connection…
      </p>
    );
  }
  const dismiss = onDismiss !== undefined && (
    <button type="button" className="ghost small" onClick={() => clearTest(onDismiss)} aria-label={`Dismiss: ${label}`}>
      ✕
    </button>
  );
  if ("error" in state) {
    return (
      <p className="bp-test bp-test-bad" role="alert" aria-label={label}>
        ✗ The test could not run: {state.error} {dismiss}
      </p>
    );
  }
  const r = state.result;
  if (!r.ok) {
    return (
      <p className="bp-test bp-test-bad" role="alert" aria-label={label}>
        <strong>✗ {r.latencyMs > 0 ? `Failed after ${formatMs(r.latencyMs)}` : "Not connected"}:</strong> {r.error}
        {r.retryable && <span className="muted"> (temporary: a run would retry)</span>} {dismiss}
      </p>
    );
  }
  const tokens = r.usage ? r.usage.inputTokens + r.usage.outputTokens : 0;
  return (
    <p className="bp-test bp-test-ok" role="status" aria-label={label}>
      <strong>✓ Connected in {formatMs(r.latencyMs)}</strong>
      {r.simulated && <span className="badge badge-sim">simulated</span>} · model <code>{r.model}</code>
      {tokens > 0 && ` · ${formatCount(tokens)} tokens${r.usage?.estimated ? " (estimated)" : ""}`} · reply: <q>{r.reply}</q> {dismiss}
    </p>
  );
}
