/**
 * Per-pipeline concurrency limits (BRAID_PIPELINE_CONCURRENCY): at most N runs of one saved
 * pipeline execute at once, so one busy pipeline cannot take every slot from the others. Runs of
 * an unsaved document have no pipeline id and only count against BRAID_MAX_RUNS.
 */
import type { Redis } from "ioredis";

export interface PipelineLimits {
  /** Every pipeline's limit unless `byPipeline` names it; absent, unlimited. */
  all?: number;
  byPipeline: Record<string, number>;
}

const VAR = "BRAID_PIPELINE_CONCURRENCY";

/** `10` (every pipeline), `10,slow:2` (and `slow` at most 2), `slow:2` (only `slow` limited). */
export function pipelineLimitsFromEnv(env: NodeJS.ProcessEnv): PipelineLimits {
  const limits: PipelineLimits = { byPipeline: {} };
  for (const entry of (env[VAR] ?? "").split(",").map((e) => e.trim())) {
    if (entry === "") continue;
    const at = entry.lastIndexOf(":");
    const id = at >= 0 ? entry.slice(0, at).trim() : undefined;
    const raw = at >= 0 ? entry.slice(at + 1).trim() : entry;
    const n = Number(raw);
    if (raw === "" || !Number.isInteger(n) || n < 1 || id === "") throw new Error(`${VAR}: expected N or pipeline-id:N, N an integer ≥ 1, got "${entry}"`);
    if (id === undefined) {
      if (limits.all !== undefined) throw new Error(`${VAR}: more than one limit for every pipeline ("${entry}")`);
      limits.all = n;
    } else {
      if (id in limits.byPipeline) throw new Error(`${VAR}: pipeline "${id}" is limited twice`);
      limits.byPipeline[id] = n;
    }
  }
  return limits;
}

export function limitOf(limits: PipelineLimits | undefined, pipelineId: string | undefined): number | undefined {
  if (!limits || pipelineId === undefined) return undefined;
  return Object.hasOwn(limits.byPipeline, pipelineId) ? limits.byPipeline[pipelineId] : limits.all;
}

/**
 * KEYS[1]: one pipeline's leases, a sorted set of run ids scored by expiry (Redis's clock, so
 * workers' clocks need not agree). ARGV: run id, limit, lease ms, "force" to renew regardless.
 * Expired leases (a worker killed -9) are dropped first; a run already holding one keeps it, so
 * a run taken over after a stall is not counted twice.
 */
const CLAIM = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ms = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if ARGV[4] == 'force' or redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + ms, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ms)
  return 1
end
return 0
`;

type LeaseRedis = Redis & { braidClaimLease(key: string, runId: string, limit: number, ms: number, mode: string): Promise<number> };

/** A claimed slot: renewed while the run executes, released when it ends. */
export interface Lease {
  release(): Promise<void>;
}

/** Leases shared by every worker through Redis: a run executes only while it holds one of its pipeline's. */
export class PipelineLeases {
  private readonly redis: LeaseRedis;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    /** A lease not renewed this long is gone: the job lock's duration, so both expire together. */
    private readonly leaseMs: number,
  ) {
    if (!("braidClaimLease" in redis)) redis.defineCommand("braidClaimLease", { numberOfKeys: 1, lua: CLAIM });
    this.redis = redis as LeaseRedis;
  }

  key(pipelineId: string): string {
    return `${this.prefix}:leases:${pipelineId}`;
  }

  /** A lease for `runId` if fewer than `limit` other runs of the pipeline hold one; undefined otherwise. */
  async claim(pipelineId: string, runId: string, limit: number): Promise<Lease | undefined> {
    const key = this.key(pipelineId);
    if ((await this.redis.braidClaimLease(key, runId, limit, this.leaseMs, "claim")) !== 1) return undefined;
    const renew = setInterval(
      () => void this.redis.braidClaimLease(key, runId, limit, this.leaseMs, "force").catch(() => {}),
      Math.max(100, Math.floor(this.leaseMs / 3)),
    );
    renew.unref();
    return {
      release: async () => {
        clearInterval(renew);
        // Redis unreachable: the lease expires on its own within leaseMs.
        await this.redis.zrem(key, runId).catch(() => {});
      },
    };
  }
}
