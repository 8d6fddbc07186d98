import { parseArgs } from "node:util";
import { type ServerConfig, configFromEnv, dataDirFrom } from "../config.js";
import { maskUrl } from "../mask-url.js";
import { type Stores, openStores } from "../store/index.js";

export class UsageError extends Error {}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>["options"];

/** node:util parseArgs, with its errors turned into one-line usage errors. */
export function parse<O extends Options>(argv: string[], options: O, positionals: string[]) {
  let result: ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true }>>;
  try {
    result = parseArgs({ args: argv, options, allowPositionals: true });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify.*$/s, ""));
  }
  if (result.positionals.length < positionals.length) {
    throw new UsageError(
      `missing ${positionals
        .slice(result.positionals.length)
        .map((p) => `<${p}>`)
        .join(" ")}`,
    );
  }
  return result;
}

export function intOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new UsageError(`--${name} must be an integer, got "${value}"`);
  return n;
}

/** The server configuration from the environment with the command's flags (as env names) on top; a bad value is a usage error. */
export function configWith(flags: Record<string, string | undefined>): ServerConfig {
  const env = { ...process.env };
  for (const [name, value] of Object.entries(flags)) if (value) env[name] = value;
  try {
    return configFromEnv(env);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** What a command reads and writes: the data folder (or --data-dir), or PostgreSQL when BRAID_DATABASE_URL is set. */
export async function storesFor(dataDirFlag: string | undefined): Promise<Stores> {
  const databaseUrl = process.env.BRAID_DATABASE_URL?.trim();
  return openStores({ dataDir: dataDirFrom(process.env, dataDirFlag), ...(databaseUrl ? { databaseUrl } : {}) });
}

/** Where a process keeps its data, for its start-up line: the data folder, or the database URL with its password masked. */
export const storageLabel = (config: Pick<ServerConfig, "dataDir" | "databaseUrl">): string =>
  config.databaseUrl ? maskUrl(config.databaseUrl) : config.dataDir;
