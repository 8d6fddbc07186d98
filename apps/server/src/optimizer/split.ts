/**
 * The canary split: which version a REST run without `?version=` gets. With a split key the
 * answer is sticky (the same key lands in the same bucket for every request, so one user sees one
 * version); without one, each request draws.
 */
import { createHash } from "node:crypto";
import type { Tag } from "../store/deployments.js";

/** 0..99 from a key: the first 32 bits of its SHA-256, mod 100. */
export function bucketOf(key: string): number {
  return createHash("sha256").update(key).digest().readUInt32BE(0) % 100;
}

export interface SplitInput {
  enabled: boolean;
  canaryPercent: number;
  hasCandidate: boolean;
  splitKey?: string;
  random?: () => number;
}

/** `candidate` for the canary share, else `live`. */
export function chooseTag(s: SplitInput): Tag {
  if (!s.enabled || !s.hasCandidate || s.canaryPercent <= 0) return "live";
  const bucket = s.splitKey !== undefined && s.splitKey !== "" ? bucketOf(s.splitKey) : Math.floor((s.random ?? Math.random)() * 100);
  return bucket < s.canaryPercent ? "candidate" : "live";
}
