import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { pyLiteral, shQuote, snippet } from "./snippets.js";

const hostile = `it's "quoted" $(echo pwned) \`uname\` \\ back \${x}\nnew line\u2028sep é 😀 */ -->`;
const input = { q: hostile, n: 1.5, ok: true, none: null, list: [hostile, 2] };
const has = (cmd: string) => spawnSync(cmd, ["--version"]).status === 0;

describe("API snippets", () => {
  it("quotes a hostile string for the shell", () => {
    const r = spawnSync("sh", ["-c", `printf %s ${shQuote(hostile)}`], { encoding: "utf8" });
    expect(r.stdout).toBe(hostile);
  });
  it.skipIf(!has("python3"))("writes the input as a Python literal equal to it", () => {
    const r = spawnSync("python3", ["-c", `import json,sys; sys.stdout.write(json.dumps(${pyLiteral(input)}))`], { encoding: "utf8" });
    expect(JSON.parse(r.stdout)).toEqual(input);
  });
  it("keeps a hostile name inside its comment and the id inside its string", () => {
    const s = { base: "http://127.0.0.1:5116", pipelineId: "p'1", name: 'evil\nprocess.exit(1) "', version: 2, input, token: true };
    for (const lang of ["curl", "typescript", "python"] as const) {
      const code = snippet(lang, s);
      expect(code).not.toMatch(/^process\.exit/m);
      expect(code).toContain("BRAID_TOKEN");
    }
    expect(snippet("curl", s)).toContain(`'http://127.0.0.1:5116/api/pipelines/p'\\''1/runs?wait=true'`);
    expect(snippet("typescript", { ...s, token: false })).not.toContain("authorization");
    // The TypeScript input is JSON: it parses back to the example.
    const ts = snippet("typescript", s);
    const literal = /const input = ([\s\S]*?);\n\n/.exec(ts)?.[1] ?? "";
    expect(JSON.parse(literal)).toEqual(input);
  });
});
