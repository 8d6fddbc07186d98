import { describe, expect, it } from "vitest";
import { lineageRows, lineageText } from "./lineage.js";

describe("run history lineage", () => {
  it("puts re-runs and forks under their parent, newest roots first", () => {
    const runs = [
      { id: "run_a_1", createdAt: 1 },
      { id: "run_b_2", createdAt: 2 },
      { id: "run_c_3", createdAt: 3, parentRunId: "run_a_1", fromNode: "pricing" },
      { id: "run_d_4", createdAt: 4, parentRunId: "run_c_3", options: { forkAtSeq: 7 } },
      { id: "run_e_5", createdAt: 5, parentRunId: "run_gone" },
    ];
    const rows = lineageRows(runs);
    expect(rows.map((r) => `${r.run.id}:${r.depth}`)).toEqual(["run_e_5:0", "run_b_2:0", "run_a_1:0", "run_c_3:1", "run_d_4:2"]);
    expect(rows.find((r) => r.run.id === "run_a_1")?.children).toBe(1);
    expect(rows.find((r) => r.run.id === "run_e_5")?.orphan).toBe(true);
    expect(lineageText(runs[2] as (typeof runs)[2])).toBe("re-run from pricing of run_a_1");
    expect(lineageText(runs[3] as (typeof runs)[3])).toBe("fork at step 7 of run_c_3");
  });
});
