import { createApp } from "../../app.js";
import { configWith, parse, storageLabel } from "../args.js";

/** `braid serve` (and `pnpm start`): the API and the web app on one port, until SIGINT/SIGTERM. */
export default async function serve(argv: string[]): Promise<number> {
  const { values } = parse(argv, { port: { type: "string" }, host: { type: "string" }, "data-dir": { type: "string" } }, []);
  const config = configWith({ BRAID_PORT: values.port, BRAID_HOST: values.host, BRAID_DATA_DIR: values["data-dir"] });
  // A database that cannot be used is reported in one line by the CLI (cli.ts), naming it.
  const app = await createApp(config);
  const url = await app.listen();
  console.log(`braid: serving ${url} (data: ${storageLabel(config)}${config.token ? ", token required" : ""}, simulated latency: ${config.simLatency})`);
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
