import { parseArgs } from "node:util";

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
