import { PROVIDERS } from "@braid/core";
import { type FormEvent, type ReactNode, useEffect, useId, useMemo, useRef, useState } from "react";
import {
  ADVANCED_KEYS,
  DEFAULT_BASE_URLS_HINT,
  type FieldErrors,
  type FieldKey,
  type FormValues,
  NUMBER_FIELDS,
  type NumberKey,
  PROVIDER_LABELS,
  SIMULATION_KEYS,
  applyPreset,
  buildBackend,
  errorSummary,
  formFromConfig,
  isProvider,
  newForm,
  numberPlaceholder,
  presetsFor,
  switchProvider,
} from "./form.js";
import { TestOutcome } from "./bits.js";
import { keyLikeKind, keyRefusal } from "./keys.js";
import { type Editing, FORM_TEST, saveBackend, stopEditing, testConnection, useBackendsPage } from "./state.js";

/** Add or edit one backend. Everything is checked here first; the server checks again. */
export function BackendForm({ editing }: { editing: Exclude<Editing, null> }) {
  const rows = useBackendsPage((s) => s.rows) ?? [];
  const test = useBackendsPage((s) => s.tests[FORM_TEST]);
  const current = editing.mode === "edit" ? rows.find((r) => r.name === editing.name) : undefined;
  const [values, setValues] = useState<FormValues>(() => (current ? formFromConfig(current.config) : newForm("simulated")));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [checked, setChecked] = useState(false);
  const [saving, setSaving] = useState(false);
  const uid = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const summaryRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // Focus goes to the first field, and back to what opened the form when it closes.
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    heading.current?.scrollIntoView?.({ block: "nearest" });
    document.getElementById(`${uid}-name`)?.focus();
    return () => {
      if (opener?.isConnected) opener.focus();
      else document.getElementById("bp-title")?.focus();
    };
  }, [uid]);

  const previousName = editing.mode === "edit" ? editing.name : undefined;
  const ctx = useMemo(() => ({ existing: rows.map((r) => r.name), previousName }), [rows, previousName]);
  const others = rows.filter((r) => r.name !== previousName);
  const groups = [...new Set(rows.map((r) => r.group).filter((g): g is string => !!g))];
  const sim = values.provider === "simulated";

  const update = (patch: Partial<FormValues> | ((v: FormValues) => FormValues)) => {
    const next = typeof patch === "function" ? patch(values) : { ...values, ...patch };
    setValues(next);
    // After a first attempt, messages follow the typing; before it, only a pasted key is flagged at once.
    if (checked) setErrors(buildBackend(next, ctx).errors);
  };
  const keyKind = keyLikeKind(values.apiKeyEnv);
  const shown: FieldErrors = { ...errors };
  if (keyKind && !sim) shown.apiKeyEnv = keyRefusal(keyKind);

  /** Checks the form; a test may use a name that is taken (it tests the settings, it saves nothing). */
  const validate = (forTest = false) => {
    setChecked(true);
    const built = buildBackend(values, forTest ? { existing: [] } : ctx);
    setErrors(built.errors);
    if (!built.backend) requestAnimationFrame(() => summaryRef.current?.focus());
    return built.backend;
  };

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const backend = validate();
    if (!backend) return;
    setSaving(true);
    const r = await saveBackend(backend, previousName);
    setSaving(false);
    if (r.ok) stopEditing();
    else {
      setErrors(r.errors);
      requestAnimationFrame(() => summaryRef.current?.focus());
    }
  };
  const onTest = () => {
    const backend = validate(true);
    if (backend) void testConnection(FORM_TEST, { backend });
  };

  const summary = errorSummary(shown);
  const f = (key: FieldKey) => ({ id: `${uid}-${key.replace(".", "-")}`, error: shown[key] });
  const title = editing.mode === "edit" ? `Edit ${editing.name}` : "Add a backend";

  return (
    <form
      className="bp-form"
      aria-labelledby={`${uid}-title`}
      onSubmit={(e) => void onSubmit(e)}
      onKeyDown={(e) => {
        if (e.key === "Escape" && !e.defaultPrevented) {
          e.preventDefault();
          stopEditing();
        }
      }}
      noValidate
    >
      <div className="bp-form-head">
        <h2 id={`${uid}-title`} ref={heading}>
          {title}
        </h2>
        <button type="button" className="ghost" onClick={stopEditing} aria-label="Close the form">
          ✕
        </button>
      </div>
      {current && current.source === "default" && (
        <p className="hint">This is a built-in simulated tier: saving writes an override to backends.json; removing the override restores it.</p>
      )}
      <div ref={summaryRef} tabIndex={-1} className="bp-summary-wrap">
        {summary.length > 0 && (
          <div className="bp-summary" role="alert" aria-label="Problems in the form">
            <strong>{summary.length === 1 ? "One field needs a fix:" : `${summary.length} fields need a fix:`}</strong>
            <ul>
              {summary.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          </div>
        )}
      </div>

      <Field {...f("name")} label="Name" help="What nodes write in their backend field, e.g. fast-sim or local-llama.">
        {(a) => <input {...a} type="text" value={values.name} onChange={(e) => update({ name: e.target.value })} spellCheck={false} autoComplete="off" />}
      </Field>

      <Field {...f("provider")} label="Provider">
        {(a) => (
          <select
            {...a}
            value={values.provider}
            onChange={(e) => {
              const p = e.target.value;
              if (isProvider(p)) update((v) => switchProvider(v, p));
            }}
          >
            {PROVIDERS.map((p) => (
              <option key={p} value={p}>
                {PROVIDER_LABELS[p]}
              </option>
            ))}
          </select>
        )}
      </Field>
      {sim ? (
        <p className="hint bp-sim-note">
          <span className="badge badge-sim">simulated</span> Answers without calling any model: plausible output, deterministic per seed, with the latency,
          failures and defects set below. No key, no network, no cost beyond the prices you give it.
        </p>
      ) : (
        presetsFor(values.provider).length > 1 && (
          <fieldset className="bp-presets">
            <legend className="muted">Fill in for:</legend>
            {presetsFor(values.provider).map((p) => (
              <button
                key={p.id}
                type="button"
                className="small"
                onClick={() => update((v) => applyPreset(v, p))}
                title={p.baseUrl}
                aria-label={`Fill in for ${p.label}`}
              >
                {p.label}
              </button>
            ))}
          </fieldset>
        )
      )}

      <Field
        {...f("model")}
        label="Model"
        help={sim ? "Only a label for simulated backends (default: simulated)." : "As the server names it, e.g. gpt-4o-mini, llama3.2, claude-sonnet-4-5."}
      >
        {(a) => (
          <input
            {...a}
            type="text"
            value={values.model}
            placeholder={sim ? "simulated" : ""}
            onChange={(e) => update({ model: e.target.value })}
            spellCheck={false}
          />
        )}
      </Field>

      {!sim && (
        <>
          <Field
            {...f("baseUrl")}
            label="Base URL"
            help={
              values.provider === "openai"
                ? "OpenAI-compatible servers end in /v1: Ollama http://127.0.0.1:11434/v1, LM Studio http://127.0.0.1:1234/v1, vLLM http://127.0.0.1:8000/v1, llama.cpp http://127.0.0.1:8080/v1."
                : `Empty means ${DEFAULT_BASE_URLS_HINT[values.provider] ?? "the provider's default"}.`
            }
          >
            {(a) => (
              <input
                {...a}
                type="url"
                value={values.baseUrl}
                placeholder={DEFAULT_BASE_URLS_HINT[values.provider] ?? ""}
                onChange={(e) => update({ baseUrl: e.target.value })}
                spellCheck={false}
              />
            )}
          </Field>
          <Field
            {...f("apiKeyEnv")}
            label="API key variable"
            help="The name of an environment variable that holds the key, e.g. OPENAI_API_KEY — keys are never stored. Set it where the Braid server starts. Leave empty for local servers without a key."
          >
            {(a) => (
              <input
                {...a}
                type="text"
                value={values.apiKeyEnv}
                placeholder="OPENAI_API_KEY"
                onChange={(e) => update({ apiKeyEnv: e.target.value })}
                spellCheck={false}
                autoComplete="off"
                data-1p-ignore
              />
            )}
          </Field>
        </>
      )}

      {sim && (
        <fieldset className="bp-fieldset">
          <legend>Simulation</legend>
          <div className="bp-grid">
            {SIMULATION_KEYS.map((k) => (
              <NumberInput key={k} k={k} values={values} update={update} {...f(k)} />
            ))}
          </div>
        </fieldset>
      )}

      <fieldset className="bp-fieldset">
        <legend>Pricing (USD per 1,000 tokens)</legend>
        <div className="bp-grid">
          <NumberInput k="pricing.input" values={values} update={update} {...f("pricing.input")} />
          <NumberInput k="pricing.output" values={values} update={update} {...f("pricing.output")} />
        </div>
        <p className="field-help">The run view and the monitor multiply the tokens each call reports by these prices. Empty means free.</p>
      </fieldset>

      <fieldset className="bp-fieldset">
        <legend>Routing</legend>
        <div className="bp-grid">
          <Field {...f("fallback")} label="Fallback backend" help="Tried when this one still fails after its retries.">
            {(a) => (
              <select {...a} value={values.fallback} onChange={(e) => update({ fallback: e.target.value })}>
                <option value="">(none)</option>
                {values.fallback && !others.some((o) => o.name === values.fallback) && <option value={values.fallback}>{values.fallback} (unknown)</option>}
                {others.map((o) => (
                  <option key={o.name} value={o.name}>
                    {o.name}
                    {o.simulated ? " (simulated)" : ""}
                    {o.enabled ? "" : " (disabled)"}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field {...f("group")} label="Group" help="Nodes may name the group; calls spread over its backends by weight.">
            {(a) => (
              <>
                <input {...a} type="text" value={values.group} list={`${uid}-groups`} onChange={(e) => update({ group: e.target.value })} spellCheck={false} />
                <datalist id={`${uid}-groups`}>
                  {groups.map((g) => (
                    <option key={g} value={g} />
                  ))}
                </datalist>
              </>
            )}
          </Field>
        </div>
        <label className="bp-check">
          <input type="checkbox" checked={values.enabled} onChange={(e) => update({ enabled: e.target.checked })} /> Enabled (a disabled backend stays
          configured; nodes that name it are flagged)
        </label>
      </fieldset>

      <Field {...f("description")} label="Description">
        {(a) => <input {...a} type="text" value={values.description} onChange={(e) => update({ description: e.target.value })} />}
      </Field>

      <details className="bp-advanced" open={ADVANCED_KEYS.some((k) => shown[k] || values[k] !== "") || !values.circuitBreaker || undefined}>
        <summary>Limits, retries and breaker</summary>
        <p className="field-help">Empty fields use the default shown in grey.</p>
        <div className="bp-grid">
          {ADVANCED_KEYS.map((k) => (
            <NumberInput key={k} k={k} values={values} update={update} {...f(k)} />
          ))}
        </div>
        <label className="bp-check">
          <input type="checkbox" checked={values.circuitBreaker} onChange={(e) => update({ circuitBreaker: e.target.checked })} /> Circuit breaker (stop calling
          after repeated failures, then try again)
        </label>
      </details>

      <div className="bp-form-actions">
        <button type="submit" className="primary" disabled={saving}>
          {saving ? "Saving…" : "Save backend"}
        </button>
        <button type="button" onClick={onTest} disabled={test?.pending} aria-label="Test connection (without saving)">
          {test?.pending ? "Testing…" : "Test connection"}
        </button>
        <button type="button" onClick={stopEditing}>
          Cancel
        </button>
      </div>
      {test && <TestOutcome state={test} label="Connection test of this form" onDismiss={FORM_TEST} />}
    </form>
  );
}

interface ControlAttrs {
  id: string;
  "aria-describedby"?: string;
  "aria-invalid"?: true;
}

/** Label, control, help and the field's own message, wired together for assistive technology. */
function Field({
  id,
  label,
  help,
  error,
  children,
}: {
  id: string;
  label: ReactNode;
  help?: string;
  error?: string | undefined;
  children: (a: ControlAttrs) => ReactNode;
}) {
  const describedBy = [help ? `${id}-help` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  const attrs: ControlAttrs = { id };
  if (describedBy) attrs["aria-describedby"] = describedBy;
  if (error) attrs["aria-invalid"] = true;
  return (
    <div className={`field ${error ? "field-invalid" : ""}`}>
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      {children(attrs)}
      {help && (
        <p className="field-help" id={`${id}-help`}>
          {help}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error.charAt(0).toUpperCase() + error.slice(1)}
        </p>
      )}
    </div>
  );
}

function NumberInput({
  k,
  values,
  update,
  id,
  error,
}: {
  k: NumberKey;
  values: FormValues;
  update: (p: Partial<FormValues>) => void;
  id: string;
  error?: string | undefined;
}) {
  const spec = NUMBER_FIELDS[k];
  const label = spec.unit ? `${spec.label} (${spec.unit})` : spec.label;
  return (
    <Field id={id} label={label} help={spec.help} error={error}>
      {(a) => (
        <input
          {...a}
          type="number"
          inputMode="decimal"
          value={values[k]}
          min={spec.min}
          max={spec.max}
          step={spec.step ?? (spec.int ? 1 : "any")}
          placeholder={numberPlaceholder(k)}
          onChange={(e) => update({ [k]: e.target.value } as Partial<FormValues>)}
        />
      )}
    </Field>
  );
}
