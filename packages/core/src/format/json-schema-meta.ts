/**
 * The JSON Schema draft 2020-12 meta-schema (https://json-schema.org/draft/2020-12/schema and its
 * seven vocabulary meta-schemas), merged into one document so @cfworker/json-schema can check a
 * schema's structure with it: `$dynamicRef: "#meta"` becomes `$ref: "#"` (the merged document
 * extends nothing, so the dynamic reference always resolves to its root). Keyword for keyword as
 * published, including the deprecated keywords the official meta-schema keeps for compatibility.
 */
const meta = { $ref: "#" };

export const JSON_SCHEMA_2020_12_META: Record<string, unknown> = {
  title: "Core and Validation specifications meta-schema (draft 2020-12, merged)",
  type: ["object", "boolean"],
  properties: {
    // core
    $id: { $ref: "#/$defs/uriReferenceString", pattern: "^[^#]*#?$" },
    $schema: { $ref: "#/$defs/uriString" },
    $ref: { $ref: "#/$defs/uriReferenceString" },
    $anchor: { $ref: "#/$defs/anchorString" },
    $dynamicRef: { $ref: "#/$defs/uriReferenceString" },
    $dynamicAnchor: { $ref: "#/$defs/anchorString" },
    $vocabulary: { type: "object", propertyNames: { $ref: "#/$defs/uriString" }, additionalProperties: { type: "boolean" } },
    $comment: { type: "string" },
    $defs: { type: "object", additionalProperties: meta },
    // applicator
    prefixItems: { $ref: "#/$defs/schemaArray" },
    items: meta,
    contains: meta,
    additionalProperties: meta,
    properties: { type: "object", additionalProperties: meta, default: {} },
    patternProperties: { type: "object", additionalProperties: meta, propertyNames: { format: "regex" }, default: {} },
    dependentSchemas: { type: "object", additionalProperties: meta, default: {} },
    propertyNames: meta,
    if: meta,
    // biome-ignore lint/suspicious/noThenProperty: "then" is a JSON Schema keyword, not a thenable
    then: meta,
    else: meta,
    allOf: { $ref: "#/$defs/schemaArray" },
    anyOf: { $ref: "#/$defs/schemaArray" },
    oneOf: { $ref: "#/$defs/schemaArray" },
    not: meta,
    // unevaluated
    unevaluatedItems: meta,
    unevaluatedProperties: meta,
    // validation
    type: {
      anyOf: [{ $ref: "#/$defs/simpleTypes" }, { type: "array", items: { $ref: "#/$defs/simpleTypes" }, minItems: 1, uniqueItems: true }],
    },
    const: true,
    enum: { type: "array", items: true },
    multipleOf: { type: "number", exclusiveMinimum: 0 },
    maximum: { type: "number" },
    exclusiveMaximum: { type: "number" },
    minimum: { type: "number" },
    exclusiveMinimum: { type: "number" },
    maxLength: { $ref: "#/$defs/nonNegativeInteger" },
    minLength: { $ref: "#/$defs/nonNegativeIntegerDefault0" },
    pattern: { type: "string", format: "regex" },
    maxItems: { $ref: "#/$defs/nonNegativeInteger" },
    minItems: { $ref: "#/$defs/nonNegativeIntegerDefault0" },
    uniqueItems: { type: "boolean", default: false },
    maxContains: { $ref: "#/$defs/nonNegativeInteger" },
    minContains: { $ref: "#/$defs/nonNegativeInteger", default: 1 },
    maxProperties: { $ref: "#/$defs/nonNegativeInteger" },
    minProperties: { $ref: "#/$defs/nonNegativeIntegerDefault0" },
    required: { $ref: "#/$defs/stringArray" },
    dependentRequired: { type: "object", additionalProperties: { $ref: "#/$defs/stringArray" } },
    // meta-data
    title: { type: "string" },
    description: { type: "string" },
    default: true,
    deprecated: { type: "boolean", default: false },
    readOnly: { type: "boolean", default: false },
    writeOnly: { type: "boolean", default: false },
    examples: { type: "array", items: true },
    // format-annotation
    format: { type: "string" },
    // content
    contentEncoding: { type: "string" },
    contentMediaType: { type: "string" },
    contentSchema: meta,
    // kept from earlier drafts by the official meta-schema
    definitions: { type: "object", additionalProperties: meta, deprecated: true, default: {} },
    dependencies: {
      type: "object",
      additionalProperties: { anyOf: [meta, { $ref: "#/$defs/stringArray" }] },
      deprecated: true,
      default: {},
    },
    $recursiveAnchor: { $ref: "#/$defs/anchorString", deprecated: true },
    $recursiveRef: { $ref: "#/$defs/uriReferenceString", deprecated: true },
  },
  $defs: {
    schemaArray: { type: "array", minItems: 1, items: meta },
    anchorString: { type: "string", pattern: "^[A-Za-z_][-A-Za-z0-9._]*$" },
    uriString: { type: "string", format: "uri" },
    uriReferenceString: { type: "string", format: "uri-reference" },
    nonNegativeInteger: { type: "integer", minimum: 0 },
    nonNegativeIntegerDefault0: { $ref: "#/$defs/nonNegativeInteger", default: 0 },
    simpleTypes: { enum: ["array", "boolean", "integer", "null", "number", "object", "string"] },
    stringArray: { type: "array", items: { type: "string" }, uniqueItems: true, default: [] },
  },
};
