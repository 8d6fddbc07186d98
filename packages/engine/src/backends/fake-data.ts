/**
 * Plausible fake data for the simulated provider: values chosen by field name, so a demo of a
 * user-profile pipeline shows names and emails rather than "string". Every output object is
 * built with `define`, and every lookup by a caller-supplied key goes through regexes or
 * `getOwn`, so keys such as `__proto__` or `constructor` stay plain data.
 */
// The generators and checks live in ./fake-data/, one concern per file; this module keeps the
// public names in one place (simulated.ts, the test stubs and the engine's index import them here).
export { isDateKey, isEmailKey, isMoneyKey, isPositiveKey, splitWords } from "./fake-data/keys.js";
export { type FillCtx, booleanFor, emailFor, guessByName, newCtx, numberFor, stringFor } from "./fake-data/values.js";
export { fillShape } from "./fake-data/shapes.js";
export { type Topic, topicOf } from "./fake-data/topic.js";
export { fillSchema } from "./fake-data/schema.js";
export { injectDefect } from "./fake-data/checks.js";
export { findDefects, fixDefects } from "./fake-data/defects.js";
