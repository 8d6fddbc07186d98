import type { BackendConfig } from "@braid/core";
import { BackendConfigError } from "./errors.js";

/** What a backend sends besides the request itself, read from the environment at call time. */
export interface Credentials {
  /** The key from `apiKeyEnv`, or undefined when the backend has none. */
  apiKey: string | undefined;
  /** The backend's extra headers with their values resolved. */
  headers: Record<string, string>;
  /** Every value taken from the environment (the key, header values): scrubbed from whatever the backend answers. */
  secrets: string[];
}

/**
 * Reads the key named by `apiKeyEnv` and the `{ env }` header values now, so a changed
 * environment needs no restart. A missing variable is a configuration error that names it.
 */
export function resolveCredentials(config: BackendConfig, env: Record<string, string | undefined>): Credentials {
  const read = (name: string, what: string, fix: string): string => {
    const value = env[name];
    if (value === undefined || value === "") throw new BackendConfigError(`the environment variable ${name} (named by ${what}) is not set; ${fix}`);
    return value;
  };
  const apiKey = config.apiKeyEnv ? read(config.apiKeyEnv, "apiKeyEnv", "set it to the API key and restart, or remove apiKeyEnv") : undefined;
  const headers: Record<string, string> = {};
  const secrets = apiKey ? [apiKey] : [];
  for (const [name, value] of Object.entries(config.headers ?? {})) {
    if (typeof value === "string") headers[name] = value;
    else {
      headers[name] = read(value.env, `headers["${name}"]`, `set it, or remove the header`);
      secrets.push(headers[name]);
    }
  }
  return { apiKey, headers, secrets };
}
