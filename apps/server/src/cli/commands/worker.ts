import { startWorker } from "../../queue/worker.js";
import { UsageError, configWith, parse, storageLabel } from "../args.js";

/** `braid worker [--concurrency N] [--data-dir DIR]`: executes queued runs (queue mode) until SIGINT/SIGTERM. */
export default async function worker(argv: string[]): Promise<number> {
  const { values } = parse(argv, { concurrency: { type: "string" }, "data-dir": { type: "string" } }, []);
  const config = configWith({ BRAID_DATA_DIR: values["data-dir"] });
  if (!config.queue) throw new UsageError("braid worker needs BRAID_REDIS_URL=redis://… (queue mode)");
  const concurrency = values.concurrency === undefined ? config.maxConcurrentRuns : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1024)
    throw new UsageError(`--concurrency must be an integer from 1 to 1024, got "${values.concurrency}"`);
  let w: Awaited<ReturnType<typeof startWorker>>;
  try {
    w = await startWorker(config, concurrency);
  } catch (err) {
    // A database that cannot be used is reported by the CLI (cli.ts); Redis here, in the same one line.
    if (/Redis/.test((err as Error).message)) {
      console.error(`braid worker: ${(err as Error).message}`);
      return 1;
    }
    throw err;
  }
  console.log(`braid: worker executing up to ${concurrency} run(s) at once (data: ${storageLabel(config)})`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      console.log(`braid: ${signal}: finishing or handing back running runs…`);
      // Ends the wait whether or not close succeeds: the process exits either way.
      void w.close(config.shutdownGraceMs).then(resolve, resolve);
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  return 0;
}
