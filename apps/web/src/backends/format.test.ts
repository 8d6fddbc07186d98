import { describe, expect, it } from "vitest";
import { costByBackend, formatCost, formatCount, formatMs, formatRate, formatUsage, nodeCosts, runUsage, timeAgo } from "./format.js";
import { summarizeStats } from "./monitorData.js";
import { parseRoute, routeHash } from "../route.js";

describe("formatting", () => {
  it("formats durations, counts and rates", () => {
    expect(formatMs(52.4)).toBe("52 ms");
    expect(formatMs(1234)).toBe("1.23 s");
    expect(formatMs(90_000)).toBe("1.5 min");
    expect(formatMs(undefined)).toBe("—");
    expect(formatCount(1234567)).toBe("1,234,567");
    expect(formatRate(1, 0)).toBe("—");
    expect(formatRate(1, 4)).toBe("100 %");
    expect(formatRate(0.875, 8)).toBe("87.5 %");
  });
  it("shows small costs with their significant digits", () => {
    expect(formatCost(0)).toBe("$0");
    expect(formatCost(0.00042)).toBe("$0.00042");
    expect(formatCost(0.0000012)).toBe("$0.0000012");
    expect(formatCost(0.005)).toBe("$0.005");
    expect(formatCost(0.0123)).toBe("$0.0123");
    expect(formatCost(0.05)).toBe("$0.05");
    expect(formatCost(12.345)).toBe("$12.35");
  });
  it("formats usage and ages", () => {
    expect(formatUsage({ inputTokens: 1000, outputTokens: 234, costUsd: 0.0012, estimated: true })).toBe(
      "1,234 tokens (1,000 in · 234 out) · $0.0012 (estimated)",
    );
    expect(timeAgo(1000, 3000)).toBe("just now");
    expect(timeAgo(0, 125_000)).toBe("2 min ago");
  });
});

describe("run cost", () => {
  const u = (i: number, o: number, c: number) => ({ inputTokens: i, outputTokens: o, costUsd: c });
  const run = {
    order: ["a", "b", "c", "d"],
    nodes: {
      a: { usage: u(10, 20, 0.001), backend: "generator" },
      b: { usage: u(30, 40, 0.003), backend: "enricher" },
      c: { usage: { ...u(5, 5, 0.001), estimated: true }, backend: "enricher" },
      d: {},
    },
  };
  it("sums the nodes while running and takes the final figure once finished", () => {
    expect(runUsage(run)).toEqual({ inputTokens: 45, outputTokens: 65, costUsd: 0.005, estimated: true });
    expect(runUsage({ ...run, usage: u(1, 1, 1) })).toEqual(u(1, 1, 1));
    expect(runUsage({ order: [], nodes: {} })).toBeUndefined();
  });
  it("ranks nodes by cost with their share, and sums per backend", () => {
    const rows = nodeCosts(run);
    expect(rows.map((r) => r.nodeId)).toEqual(["b", "a", "c"]);
    expect(rows[0]?.share).toBeCloseTo(0.6);
    expect(costByBackend(run)).toEqual([
      { backend: "enricher", usage: { inputTokens: 35, outputTokens: 45, costUsd: 0.004, estimated: true }, nodes: 2 },
      { backend: "generator", usage: u(10, 20, 0.001), nodes: 1 },
    ]);
  });
});

describe("monitor totals", () => {
  it("adds the backends up and counts breakers that are not closed", () => {
    const row = (calls: number, failures: number, breaker: "closed" | "open" | "half-open") => ({
      calls,
      failures,
      inputTokens: calls * 10,
      outputTokens: calls * 20,
      costUsd: calls * 0.0001,
      cacheHits: 1,
      retries: failures,
      breaker,
    });
    const t = summarizeStats([row(8, 0, "closed"), row(2, 2, "open"), row(0, 0, "half-open")]);
    expect(t).toMatchObject({ calls: 10, failures: 2, successRate: 0.8, inputTokens: 100, costUsd: 0.001, cacheHits: 3, retries: 2, openBreakers: 2 });
    expect(summarizeStats([]).successRate).toBe(1);
  });
});

describe("route", () => {
  it("maps hashes to views and back", () => {
    expect(parseRoute("#/backends")).toEqual({ page: "backends", tab: "list" });
    expect(parseRoute("#/backends/monitor/")).toEqual({ page: "backends", tab: "monitor" });
    expect(parseRoute("")).toEqual({ page: "designer" });
    expect(parseRoute("#/elsewhere")).toEqual({ page: "designer" });
    expect(routeHash({ page: "backends", tab: "monitor" })).toBe("#/backends/monitor");
    expect(routeHash({ page: "designer" })).toBe("");
    expect(parseRoute("#/batch/")).toEqual({ page: "batch" });
    expect(routeHash({ page: "batch" })).toBe("#/batch");
  });
});
