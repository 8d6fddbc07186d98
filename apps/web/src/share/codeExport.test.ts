import { strFromU8, unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { projectFolder, redactedForCode, zipProject } from "./codeExport.js";

describe("code export zip", () => {
  it("puts every file under one folder named after the pipeline, byte for byte", () => {
    const zip = zipProject("Smart routing", [
      { path: "package.json", content: '{"name":"x"}\n' },
      { path: "src/main.ts", content: "console.log('ü');\n" },
    ]);
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual(["Smart-routing-langgraph/package.json", "Smart-routing-langgraph/src/main.ts"]);
    expect(strFromU8(files["Smart-routing-langgraph/src/main.ts"] as Uint8Array)).toBe("console.log('ü');\n");
    expect(projectFolder("../../etc")).toBe("etc-langgraph");
  });
  it("refuses paths that would escape the folder", () => {
    expect(() => zipProject("p", [{ path: "../evil.ts", content: "" }])).toThrow(/unsafe path/);
    expect(() => zipProject("p", [{ path: "/etc/passwd", content: "" }])).toThrow(/unsafe path/);
  });
  it("sends the generator the redacted document", () => {
    const doc = {
      format: "braid/pipeline@1" as const,
      name: "p",
      nodes: [{ id: "g", kind: "generate", config: { prompt: "key sk-proj-abcdefghijklmnopqrstuvwx1234567890 here", backend: "generator" } }],
      edges: [],
    };
    expect(JSON.stringify(redactedForCode(doc))).not.toContain("sk-proj-abcdefghijklmnopqrstuvwx1234567890");
  });
});
