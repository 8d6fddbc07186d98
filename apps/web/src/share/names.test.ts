import { describe, expect, it } from "vitest";
import { downloadName, fileStem } from "./names.js";

describe("download names", () => {
  it("keep letters, digits, - and _ of the pipeline's name", () => {
    expect(fileStem("Smart routing by complexity")).toBe("Smart-routing-by-complexity");
    expect(fileStem("Cost-aware generation (quality gate)")).toBe("Cost-aware-generation-quality-gate");
    expect(fileStem("Київ 🚀 東京")).toBe("Київ-東京");
    expect(fileStem('  a/b\\c:d*e?f"g<h>i|j  ')).toBe("a-b-c-d-e-f-g-h-i-j");
  });
  it("never give an empty, hidden, traversing or reserved name", () => {
    expect(fileStem("")).toBe("pipeline");
    expect(fileStem("🚀🚀")).toBe("pipeline");
    expect(fileStem("../../etc/passwd")).toBe("etc-passwd");
    expect(fileStem(".hidden")).toBe("hidden");
    expect(fileStem("CON")).toBe("CON-pipeline");
    expect(fileStem("<script>alert(1)</script>")).toBe("script-alert-1-script");
  });
  it("cut long names", () => {
    const stem = fileStem("x".repeat(500));
    expect(stem.length).toBe(80);
  });
  it("name each format, and mark run exports", () => {
    expect(downloadName("Smart routing", "mmd")).toBe("Smart-routing.mmd");
    expect(downloadName("Smart routing", "svg")).toBe("Smart-routing.svg");
    expect(downloadName("", "png")).toBe("pipeline.png");
    expect(downloadName("Smart routing", "json")).toBe("Smart-routing.json");
    expect(downloadName("Smart routing", "mmd", "run_01HX/..")).toBe("Smart-routing-run-run_01HX.mmd");
  });
});
