/**
 * A loopback OpenAI-compatible server in its own process, for the provider-cpu scenario: the
 * server's CPU must not count in the measuring process's process.cpuUsage(). Prints its URL on
 * stdout and serves until killed.
 */
import { startOpenAiStub } from "@braid/engine/testing";

const stub = await startOpenAiStub();
// The stub keeps every request for tests; a benchmark makes thousands, so drop them as they come.
setInterval(() => {
  stub.requests.length = 0;
}, 200).unref();
process.stdout.write(`${stub.url}\n`);
process.on("SIGTERM", () => void stub.close().then(() => process.exit(0)));
