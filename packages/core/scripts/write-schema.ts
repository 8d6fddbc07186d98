// Writes schema/pipeline.schema.json from the zod schema (`pnpm schema`). A test fails when the
// committed file is stale, so editors and other tools always get the current format.
import { writeFileSync } from "node:fs";
import { pipelineJsonSchema } from "../src/format/schema.js";

const target = new URL("../schema/pipeline.schema.json", import.meta.url);
writeFileSync(target, `${JSON.stringify(pipelineJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
