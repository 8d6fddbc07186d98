import { Registry } from "@braid/core";
import { approvalKind } from "./kinds/approval.js";
import { critiqueKind } from "./kinds/critique.js";
import { generateKind } from "./kinds/generate.js";
import { inputKind } from "./kinds/input.js";
import { mergeKind } from "./kinds/merge.js";
import { outputKind } from "./kinds/output.js";
import { routeKind } from "./kinds/route.js";

export { approvalKind, critiqueKind, generateKind, inputKind, mergeKind, outputKind, routeKind };

/** Every built-in kind. A new kind is one file in ./kinds plus one line here. */
export const builtinKinds = [inputKind, outputKind, generateKind, critiqueKind, routeKind, mergeKind, approvalKind];

export const createRegistry = (): Registry => new Registry(builtinKinds);

/** A shared default registry for callers that never register their own kinds. */
export const defaultRegistry: Registry = createRegistry();
