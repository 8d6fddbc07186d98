#!/usr/bin/env node
import { main } from "./cli.js";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`braid: unexpected error: ${(err as Error)?.message ?? String(err)}`);
    process.exitCode = 1;
  },
);
