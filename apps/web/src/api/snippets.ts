/**
 * Ready-to-paste code that calls a saved pipeline over the REST API (apps/server/src/http/rest.ts):
 * start a run, follow its events over SSE, read the result. Every value from the document (the
 * example input, the id, the name) is quoted for the language it lands in, so a hostile name or
 * input cannot break out of a string or a comment. The token, in token mode, is read from the
 * BRAID_TOKEN environment variable, never written into the snippet.
 */
export interface SnippetInput {
  base: string;
  pipelineId: string;
  name: string;
  version?: number;
  input: unknown;
  token: boolean;
}

export type SnippetLanguage = "curl" | "typescript" | "python";

/** POSIX shell: single quotes, with each quote closed, escaped and reopened. */
export const shQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** A comment's text on one line (a newline would end the comment and start code). */
const oneLine = (s: string): string =>
  Array.from(s, (ch) => {
    const c = ch.codePointAt(0) as number;
    return c < 0x20 || c === 0x7f || c === 0x85 || c === 0x2028 || c === 0x2029 ? " " : ch;
  })
    .join("")
    .trim();

/** A Python string literal: ASCII only, every other character escaped. */
export function pyString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === "\\") out += "\\\\";
    else if (ch === '"') out += '\\"';
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else if (c <= 0xffff) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += `\\U${c.toString(16).padStart(8, "0")}`;
  }
  return `${out}"`;
}

/** A JSON value as a Python literal (True/False/None), indented like JSON.stringify(v, null, 4). */
export function pyLiteral(v: unknown, indent = ""): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "None";
  if (typeof v === "string") return pyString(v);
  const inner = `${indent}    `;
  if (Array.isArray(v)) return v.length ? `[\n${v.map((x) => inner + pyLiteral(x, inner)).join(",\n")},\n${indent}]` : "[]";
  const entries = Object.entries(v as Record<string, unknown>);
  return entries.length ? `{\n${entries.map(([k, x]) => `${inner}${pyString(k)}: ${pyLiteral(x, inner)}`).join(",\n")},\n${indent}}` : "{}";
}

/** JSON is valid JavaScript; the line separators are escaped so no editor or older engine trips on them. */
const jsLiteral = (v: unknown, space?: number): string =>
  JSON.stringify(v ?? {}, null, space)
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");

const runsPath = (id: string) => `/api/pipelines/${encodeURIComponent(id)}/runs`;

export function snippet(lang: SnippetLanguage, s: SnippetInput): string {
  const title = oneLine(`Run the saved pipeline “${s.name}”${s.version !== undefined ? ` (version ${s.version})` : ""}`);
  const body = JSON.stringify(s.input ?? {});
  if (lang === "curl") {
    const auth = s.token ? `  -H "Authorization: Bearer $BRAID_TOKEN" \\\n` : "";
    const authInline = s.token ? ` -H "Authorization: Bearer $BRAID_TOKEN"` : "";
    return [
      `# ${title}, and wait for the result`,
      `curl -s -X POST ${shQuote(`${s.base}${runsPath(s.pipelineId)}?wait=true`)} \\`,
      `  -H 'content-type: application/json' \\`,
      `${auth}  -d ${shQuote(body)}`,
      "",
      "# Or start it, follow its events over SSE, then read the run",
      `RUN=$(curl -s -X POST ${shQuote(`${s.base}${runsPath(s.pipelineId)}`)} -H 'content-type: application/json'${authInline} -d ${shQuote(body)} | jq -r .runId)`,
      `curl -N ${shQuote(`${s.base}/api/runs/`)}"$RUN"/events${authInline}`,
      `curl -s ${shQuote(`${s.base}/api/runs/`)}"$RUN"${authInline}`,
      "",
    ].join("\n");
  }
  if (lang === "typescript") {
    return [
      `// ${title}: start a run, follow its events (SSE), read the result. Node 18+ or a browser.`,
      `const BASE = ${jsLiteral(s.base)};`,
      `const PIPELINE = ${jsLiteral(s.pipelineId)};`,
      `const headers = { "content-type": "application/json"${s.token ? ", authorization: `Bearer ${process.env.BRAID_TOKEN}`" : ""} };`,
      `const input = ${jsLiteral(s.input, 2)};`,
      "",
      'const started = await fetch(`${BASE}/api/pipelines/${encodeURIComponent(PIPELINE)}/runs`, { method: "POST", headers, body: JSON.stringify(input) });',
      "if (!started.ok) throw new Error(`start failed: ${started.status} ${await started.text()}`);",
      "const { runId } = await started.json();",
      "",
      "// Server-sent events: frames split by a blank line, the event as JSON on its data: line. The stream ends with the run.",
      "const stream = await fetch(`${BASE}/api/runs/${runId}/events`, { headers });",
      "const reader = stream.body.pipeThrough(new TextDecoderStream()).getReader();",
      'let buffer = "";',
      "for (;;) {",
      "  const { value, done } = await reader.read();",
      "  if (done) break;",
      "  buffer += value;",
      '  for (let end = buffer.indexOf("\\n\\n"); end >= 0; end = buffer.indexOf("\\n\\n")) {',
      "    const frame = buffer.slice(0, end);",
      "    buffer = buffer.slice(end + 2);",
      '    const data = frame.split("\\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\\n");',
      "    if (data) console.log(JSON.parse(data).type);",
      "  }",
      "}",
      "",
      "const run = await (await fetch(`${BASE}/api/runs/${runId}`, { headers })).json();",
      "console.log(run.status, JSON.stringify(run.output));",
      "",
    ].join("\n");
  }
  return [
    `# ${title}: start a run, follow its events (SSE), read the result. Python 3, standard library only.`,
    "import json",
    ...(s.token ? ["import os"] : []),
    "import urllib.parse",
    "import urllib.request",
    "",
    `BASE = ${pyString(s.base)}`,
    `PIPELINE = ${pyString(s.pipelineId)}`,
    `HEADERS = {"content-type": "application/json"${s.token ? ', "authorization": "Bearer " + os.environ["BRAID_TOKEN"]' : ""}}`,
    `payload = ${pyLiteral(s.input ?? {})}`,
    "",
    "",
    "def call(method, path, body=None):",
    "    data = None if body is None else json.dumps(body).encode()",
    "    with urllib.request.urlopen(urllib.request.Request(BASE + path, data=data, method=method, headers=HEADERS)) as r:",
    "        return json.load(r)",
    "",
    "",
    'run_id = call("POST", "/api/pipelines/" + urllib.parse.quote(PIPELINE, safe="") + "/runs", payload)["runId"]',
    "",
    "# Server-sent events: the event as JSON on each data: line; the stream ends with the run.",
    'with urllib.request.urlopen(urllib.request.Request(BASE + "/api/runs/" + run_id + "/events", headers=HEADERS)) as stream:',
    "    for raw in stream:",
    '        line = raw.decode("utf-8").rstrip("\\n")',
    '        if line.startswith("data: "):',
    '            print(json.loads(line[6:])["type"])',
    "",
    'run = call("GET", "/api/runs/" + run_id)',
    'print(run["status"], json.dumps(run.get("output")))',
    "",
  ].join("\n");
}
