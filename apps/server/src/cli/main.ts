#!/usr/bin/env node
import { main } from "./cli.js";

// `braid run … | head` closes the pipe early: the reader has all it wants, which is not an
// error. Stop at once and quietly, with status 0 (Node ignores SIGPIPE, so without this every
// later write would end in an unhandled EPIPE stack trace).
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(0);
    throw err;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`braid: unexpected error: ${(err as Error)?.message ?? String(err)}`);
    process.exitCode = 1;
  },
);
