/**
 * What a configured backend must pass on this machine besides its schema: the egress policy and
 * the key variable rules. Both apply when the backends file is loaded and when a backend is
 * saved, not only when it is called. A backend the egress policy refuses stays configured (a
 * hand-edited file must not take the server down) but is unavailable with the reason, so lint,
 * the Backends page, GET /api/backends and the CLI all say why before any run tries it.
 */
import {
  type BackendAvailability,
  type BackendConfig,
  BackendPool,
  type BackendRules,
  type LatencyProfile,
  type ProviderFactory,
  backendRulesFromEnv,
  defaultBackendConfigs,
  mergeBackendConfigs,
} from "@braid/engine";
import { DEFAULT_BASE_URLS, type EgressPolicy, type ProviderDeps, checkEgress, createNodeProviders } from "@braid/engine/node";

/** The key variable rules of this process (BRAID_KEY_ENV_PATTERN). */
export const envBackendRules = (env: Record<string, string | undefined> = process.env): BackendRules => backendRulesFromEnv(env);

/** Why the egress policy refuses a backend's base URL, or undefined when it may be called. */
export function egressRefusal(cfg: BackendConfig, egress: EgressPolicy): string | undefined {
  if (cfg.provider === "simulated") return undefined;
  const check = checkEgress(cfg.baseUrl ?? DEFAULT_BASE_URLS[cfg.provider] ?? "", egress);
  return check.ok ? undefined : check.reason;
}

/** A pool whose availability also reflects the egress policy (the providers still check at call time). */
class EgressCheckedPool extends BackendPool {
  constructor(
    configs: BackendConfig[],
    providers: Record<string, ProviderFactory>,
    private readonly egress: EgressPolicy,
  ) {
    super(configs, providers);
  }

  override availability(): BackendAvailability[] {
    return super.availability().map((a) => {
      const cfg = this.get(a.name);
      const refused = a.available && cfg ? egressRefusal(cfg, this.egress) : undefined;
      return refused ? { ...a, available: false, reason: `backend "${a.name}": ${refused}` } : a;
    });
  }
}

/** The default simulated tiers overridden or extended by `extra`, with the real providers under `egress`. */
export function createCheckedPool(opts: {
  latency: LatencyProfile;
  extra: BackendConfig[];
  egress: EgressPolicy;
  deps?: Omit<ProviderDeps, "egress">;
}): BackendPool {
  const configs = mergeBackendConfigs(defaultBackendConfigs(opts.latency), opts.extra);
  return new EgressCheckedPool(configs, createNodeProviders({ ...opts.deps, egress: opts.egress }), opts.egress);
}

/**
 * Why a backend override (X-Braid-Backend, `--backend`) names nothing this pool has, listing what
 * it has; undefined when the name is a backend or a group. The caller says which header or flag.
 */
export function unknownBackend(pool: BackendPool, name: string): string | undefined {
  const names = pool.names();
  if (names.has(name)) return undefined;
  return `no backend or group named ${JSON.stringify(name.slice(0, 100))}; configured: ${[...names].join(", ")}`;
}
