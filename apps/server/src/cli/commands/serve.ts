import { createApp } from "../../app.js";
import { DatabaseError } from "../../store/db.js";
import { PgConnectError, maskUrl } from "../../store/pg/url.js";
import { configWith, parse } from "../args.js";

/** `braid serve` (and `pnpm start`): the API and the web app on one port, until SIGINT/SIGTERM. */
export default async function serve(argv: string[]): Promise<number> {
  const { values } = parse(argv, { port: { type: "string" }, host: { type: "string" }, "data-dir": { type: "string" } }, []);
  const config = configWith({ BRAID_PORT: values.port, BRAID_HOST: values.host, BRAID_DATA_DIR: values["data-dir"] });
  let app: Awaited<ReturnType<typeof createApp>>;
  try {
    app = await createApp(config);
  } catch (err) {
    // A damaged or foreign data file is the user's to fix, not a crash: one line naming the file.
    if (!(err instanceof DatabaseError || err instanceof PgConnectError)) throw err;
    console.error(`braid serve: ${err.message}`);
    return 1;
  }
  const url = await app.listen();
  console.log(
    `braid: serving ${url} (data: ${config.databaseUrl ? maskUrl(config.databaseUrl) : config.dataDir}${config.token ? ", token required" : ""}, simulated latency: ${config.simLatency})`,
  );
  if (app.recovered.length) console.log(`braid: resuming ${app.recovered.length} unfinished run(s): ${app.recovered.join(", ")}`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      console.log(`braid: ${signal}: no new runs; letting running ones checkpoint…`);
      // Ends the wait whether or not close succeeds: the process exits either way.
      void app.close().then(resolve, resolve);
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  return 0;
}
