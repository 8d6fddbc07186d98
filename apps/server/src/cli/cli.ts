import { BraidError, formatDiagnostic } from "@braid/engine";
import { FileError } from "../files.js";
import { DatabaseError, PgConnectError } from "../store/errors.js";
import { UsageError } from "./args.js";

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ default: (argv: string[]) => Promise<number> }> }> = {
  validate: { summary: "validate <file>                 print diagnostics; exit 0 if no errors, 2 otherwise", load: () => import("./commands/validate.js") },
  run: {
    summary: "run <file> [--input JSON|@file] [--seed N] [--backends FILE] [--backend NAME] [--latency realistic|zero] [--json] [--events]",
    load: () => import("./commands/run.js"),
  },
  batch: {
    summary:
      "batch <file> --inputs data.jsonl|data.csv [--concurrency N] [--out results.jsonl] [--seed N] [--backends FILE] [--backend NAME] [--latency realistic|zero] [--fresh] [--retry-failed] [--json]",
    load: () => import("./commands/batch.js"),
  },
  eval: {
    summary:
      "eval <file> --dataset data.jsonl|data.csv [--evaluators FILE] [--gate EXPR]... [--baseline PIPELINE|EXPERIMENT] [--concurrency N] [--seed N] [--backend NAME] [--judge NAME] [--json] [--out FILE]",
    load: () => import("./commands/eval.js"),
  },
  worker: {
    summary: "worker [--concurrency N] [--data-dir DIR]   execute queued runs (queue mode: BRAID_REDIS_URL)",
    load: () => import("./commands/worker.js"),
  },
  serve: { summary: "serve [--port N] [--host H] [--data-dir DIR]   the API and web app (same as pnpm start)", load: () => import("./commands/serve.js") },
  runs: {
    summary: "runs list [--pipeline ID] [--status S] | show <id> | events <id>   read runs from the data folder",
    load: () => import("./commands/runs.js"),
  },
  versions: {
    summary: "versions list|tag|untag|promote|restore <pipeline> [live|candidate] [N] [--reason TEXT] [--json]   deployment tags in the data folder",
    load: () => import("./commands/versions.js"),
  },
  mermaid: {
    summary: "mermaid <file> [--run <runId>] [--direction TD|LR] [--backends] [--prompts] [--out file.mmd]",
    load: () => import("./commands/mermaid.js"),
  },
  import: {
    summary: "import <file.mmd|file.json> [--out file.json]   Mermaid (Braid export or hand-written) to a pipeline",
    load: () => import("./commands/import.js"),
  },
  backends: {
    summary: "backends stats [--window 5m|1h|all] [--json] | list | test <name>   [--url URL] from the running server",
    load: () => import("./commands/backends.js"),
  },
  codegen: {
    summary: "codegen <file> --out DIR [--force] [--providers openai,anthropic,ollama] [--backends FILE]   a standalone LangGraph.js project",
    load: () => import("./commands/codegen.js"),
  },
  codes: { summary: "codes [--markdown]              list the stable error and diagnostic codes", load: () => import("./commands/codes.js") },
};

function usage(): string {
  return ["usage: braid <command> [options]", "", ...Object.values(COMMANDS).map((c) => `  braid ${c.summary}`)].join("\n");
}

/** Every failure is one line naming the file, node and code; never a stack trace. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    console.error(`braid: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  try {
    return await (await cmd.load()).default(rest);
  } catch (err) {
    if (err instanceof FileError) {
      if (err.diagnostics.length === 0) console.error(`braid: ${err.file}: ${err.message}`);
      for (const d of err.diagnostics) console.error(`braid: ${formatDiagnostic(d, err.file)}`);
      return 2;
    }
    if (err instanceof UsageError) {
      console.error(`braid ${name}: ${err.message}`);
      return 2;
    }
    // A database that cannot be used (damaged file, unreachable PostgreSQL) is the user's to fix: one line naming it.
    if (err instanceof DatabaseError || err instanceof PgConnectError) {
      console.error(`braid ${name}: ${err.message}`);
      return 1;
    }
    if (err instanceof BraidError) {
      console.error(`braid: ${err.code}${err.nodeId ? ` (node "${err.nodeId}")` : ""}: ${err.message}`);
      return 2;
    }
    console.error(`braid: unexpected error: ${(err as Error)?.message ?? String(err)}`);
    return 1;
  }
}
