import { ERROR_CODES } from "@braid/engine";
import { parse } from "../args.js";

export default async function codes(argv: string[]): Promise<number> {
  const { values } = parse(argv, { markdown: { type: "boolean" } }, []);
  if (values.markdown) {
    console.log("| code | meaning |\n|---|---|");
    for (const [code, meaning] of Object.entries(ERROR_CODES)) console.log(`| \`${code}\` | ${meaning.replace(/\|/g, "\\|")} |`);
  } else for (const [code, meaning] of Object.entries(ERROR_CODES)) console.log(`${code.padEnd(24)} ${meaning}`);
  return 0;
}
