/**
 * Plausible fake data for the simulated provider: values chosen by field name, so a demo of a
 * user-profile pipeline shows names and emails rather than "string". Every output object is
 * built with `define`, and every lookup by a caller-supplied key goes through regexes or
 * `getOwn`, so keys such as `__proto__` or `constructor` stay plain data.
 */
import { define, getOwn, hasOwn, isPlainObject, stableStringify } from "@braid/core";
import { type Rng, createRng, floatBetween, intBetween, pick, stringFromPattern } from "./rng.js";

// ---------------------------------------------------------------------------------------------
// Word lists (ASCII only, so derived emails and slugs need no transliteration).

const FIRST = "Ava Liam Maya Noah Zoe Ethan Priya Mateo Chloe Omar Hana Lucas Sofia Kenji Amara Diego Elena Felix Grace Ivan Leila Marcus Nina Oscar".split(
  " ",
);
const LAST = "Nguyen Garcia Smith Okafor Kowalski Tanaka Murphy Haddad Rossi Johansson Patel Moreau Silva Chen Novak Reyes Fischer Adeyemi Larsen Brooks".split(
  " ",
);
/** city, country, country code, region, currency — picked together so an address is coherent. */
const PLACES = [
  ["Lisbon", "Portugal", "PT", "Lisboa", "EUR"],
  ["Austin", "United States", "US", "TX", "USD"],
  ["Toronto", "Canada", "CA", "ON", "CAD"],
  ["Osaka", "Japan", "JP", "Kansai", "JPY"],
  ["Manchester", "United Kingdom", "GB", "England", "GBP"],
  ["Melbourne", "Australia", "AU", "VIC", "AUD"],
  ["Lyon", "France", "FR", "Auvergne-Rhone-Alpes", "EUR"],
  ["Denver", "United States", "US", "CO", "USD"],
  ["Utrecht", "Netherlands", "NL", "Utrecht", "EUR"],
  ["Cape Town", "South Africa", "ZA", "Western Cape", "ZAR"],
] as const;
const STREETS = ["Maple Avenue", "Harbor Street", "Oak Lane", "Cedar Road", "Elm Street", "Park Boulevard", "Mill Road", "Riverside Drive"];
const COMPANIES =
  "Northwind Traders|Acme Analytics|Bluefin Labs|Cobalt Systems|Evergreen Foods|Lumen Health|Summit Logistics|Juniper Media|Redwood Robotics|Tidewater Energy".split(
    "|",
  );
const DOMAINS = ["example.com", "example.org", "mail.example.net"];
const PRODUCT_ADJ = ["Ergonomic", "Compact", "Premium", "Lightweight", "Wireless", "Classic", "Smart", "Durable", "Portable", "Modern", "Organic", "Rustic"];
/** product noun and its category, so a record's name and category agree. */
const PRODUCTS = [
  ["Desk Lamp", "Home & Kitchen"],
  ["Backpack", "Outdoors"],
  ["Headphones", "Electronics"],
  ["Water Bottle", "Sports"],
  ["Office Chair", "Office Supplies"],
  ["Notebook", "Office Supplies"],
  ["Keyboard", "Electronics"],
  ["Rain Jacket", "Apparel"],
  ["Coffee Grinder", "Home & Kitchen"],
  ["Yoga Mat", "Sports"],
  ["Running Shoes", "Apparel"],
  ["Speaker", "Electronics"],
] as const;
const CATEGORIES = ["Electronics", "Home & Kitchen", "Outdoors", "Books", "Apparel", "Sports", "Beauty", "Toys", "Office Supplies", "Garden"];
const STATUSES = ["active", "pending", "inactive", "archived"];
const COLORS = ["red", "navy", "forest green", "charcoal", "ivory", "teal", "mustard", "burgundy"];
const TAGS = ["new", "popular", "eco-friendly", "limited", "bestseller", "sale", "premium", "gift", "outdoor", "travel"];
const HOBBIES = ["hiking", "photography", "cooking", "chess", "cycling", "reading", "gardening", "travel", "music", "yoga"];
const JOBS = "Software Engineer|Product Manager|Data Analyst|Graphic Designer|Nurse|Teacher|Accountant|Marketing Lead|Sales Associate|Architect".split("|");
const LANGUAGES = ["English", "Spanish", "Japanese", "French", "Portuguese", "German", "Hindi"];
const ADJ = ["quiet", "bright", "steady", "swift", "golden", "clever", "gentle", "bold", "careful", "simple"];
const NOUN = ["harbor", "signal", "garden", "pipeline", "lantern", "meadow", "circuit", "summit", "canvas", "orbit"];

// ---------------------------------------------------------------------------------------------
// Field-name helpers, shared with the defect checks.

/** `createdAt`, `created_at`, `Created-At` → ["created", "at"]. */
export function splitWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}
const norm = (key: string): string => key.toLowerCase().replace(/[^a-z0-9]/g, "");

const MONEY = /price|cost|amount|total|fee|salary|income|wage|revenue|budget|spend|payment|charge/;
const COUNTS = /quantity|qty|stock|inventory|(?<!dis|ac)count|units|onhand|capacity|seats/;
export const isEmailKey = (key: string): boolean => norm(key).includes("email");
export const isMoneyKey = (key: string): boolean => MONEY.test(norm(key));
/** Fields that must never be negative: money, counts, ages, physical measures. */
export function isPositiveKey(key: string): boolean {
  const n = norm(key);
  return MONEY.test(n) || COUNTS.test(n) || splitWords(key).includes("age") || /weight|height|width|rating|duration/.test(n);
}
export function isDateKey(key: string): boolean {
  const w = splitWords(key);
  const last = w[w.length - 1];
  return (
    w.some((x) => x === "date" || x === "timestamp" || x === "datetime" || x === "dob" || x === "birthday") ||
    ((last === "at" || last === "on") && w.length > 1)
  );
}
const isNumericKey = (key: string): boolean =>
  isPositiveKey(key) ||
  /year|score|percent|discount|latitude|longitude|^lat$|^lng$|^lon$|level|rank|priority|temperature/.test(norm(key)) ||
  /^(num|number)$/.test(splitWords(key)[0] ?? "");
const isBooleanKey = (key: string): boolean =>
  /^(is|has|can|should)[A-Z_]/.test(key) || /^(active|enabled|verified|available|instock|subscribed|confirmed|approved|visible|published)$/.test(norm(key));

// ---------------------------------------------------------------------------------------------
// Generation.

interface Person {
  first: string;
  last: string;
  domain: string;
}
/** Per-object state, so that name, email and address within one object agree. */
export interface FillCtx {
  rng: Rng;
  kind: "person" | "product" | "company" | "generic";
  person?: Person;
  place?: (typeof PLACES)[number];
  company?: string;
  product?: { name: string; category: string };
}

export function newCtx(rng: Rng, keys: readonly string[] = []): FillCtx {
  const n = keys.map(norm);
  const any = (re: RegExp): boolean => n.some((k) => re.test(k));
  // Person first: {name, email, price} is a customer with a purchase, not a product.
  const kind = any(/^(email|emailaddress|age|firstname|lastname|fullname|phone|phonenumber|birthdate|birthday|dob|dateofbirth)$/)
    ? "person"
    : any(/^(sku|price|stock|inventory|product|brand)/)
      ? "product"
      : any(/industry|employees|founded|headquarters/)
        ? "company"
        : "generic";
  return { rng, kind };
}
const person = (c: FillCtx): Person => (c.person ??= { first: pick(c.rng, FIRST), last: pick(c.rng, LAST), domain: pick(c.rng, DOMAINS) });
const place = (c: FillCtx): (typeof PLACES)[number] => (c.place ??= pick(c.rng, PLACES));
const company = (c: FillCtx): string => (c.company ??= pick(c.rng, COMPANIES));
const slug = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const phrase = (rng: Rng): string => `${pick(rng, ADJ)} ${pick(rng, NOUN)}`;
const randomProduct = (rng: Rng): { name: string; category: string } => {
  const [noun, category] = pick(rng, PRODUCTS);
  return { name: `${pick(rng, PRODUCT_ADJ)} ${noun}`, category };
};
const product = (c: FillCtx): { name: string; category: string } => (c.product ??= randomProduct(c.rng));
export const emailFor = (p: Person): string => `${slug(p.first)}.${slug(p.last)}@${p.domain}`.replace(/-/g, "");
const hex = (rng: Rng, n: number): string => Array.from({ length: n }, () => "0123456789abcdef"[Math.floor(rng() * 16)]).join("");
const uuid = (rng: Rng): string => `${hex(rng, 8)}-${hex(rng, 4)}-4${hex(rng, 3)}-${"89ab"[intBetween(rng, 0, 3)]}${hex(rng, 3)}-${hex(rng, 12)}`;

/** A fixed window (2020-01-01 … 2025-06-30) keeps dates plausible without reading the clock. */
function isoDate(rng: Rng, dateOnly: boolean, fromYear = 2020, toYear = 2025): string {
  const start = Date.UTC(fromYear, 0, 1);
  const end = Date.UTC(toYear, 5, 30);
  const d = new Date(start + Math.floor((rng() * (end - start)) / 1000) * 1000);
  return dateOnly ? d.toISOString().slice(0, 10) : d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function description(c: FillCtx): string {
  const r = c.rng;
  if (c.kind === "product")
    return `${product(c).name} with a ${pick(r, ADJ)} design, built for everyday use and backed by a ${intBetween(r, 1, 5)}-year warranty.`;
  if (c.kind === "person") {
    const p = person(c);
    const job = pick(r, JOBS).toLowerCase();
    return `${p.first} is ${/^[aeiou]/.test(job) ? "an" : "a"} ${job} based in ${place(c)[0]} who enjoys ${pick(r, HOBBIES)} and ${pick(r, HOBBIES)}.`;
  }
  if (c.kind === "company") return `${company(c)} builds ${pick(r, CATEGORIES).toLowerCase()} products for teams in ${place(c)[1]}.`;
  return `A ${phrase(r)} that keeps things ${pick(r, ADJ)} and ${pick(r, ADJ)}.`;
}

/** A string for field `key`. `hint` is the example value, used only when the name says nothing. */
export function stringFor(key: string, c: FillCtx, hint = ""): string {
  const k = norm(key);
  const w = splitWords(key);
  const r = c.rng;
  const h = hint.toLowerCase();
  if (isEmailKey(key)) return emailFor(person(c));
  if (/^(username|user|login|handle|nickname|screenname)$/.test(k)) return `${slug(person(c).first)}${intBetween(r, 10, 99)}`;
  if (/^(first|given)name$|^first$/.test(k)) return person(c).first;
  if (/^(last|family|sur)name$|^last$|^surname$/.test(k)) return person(c).last;
  if (/company|employer|organi[sz]ation|brand|vendor|supplier|manufacturer|publisher/.test(k)) return company(c);
  if (/productname|^product$|^item$|itemname/.test(k) || (k === "name" && c.kind === "product")) return product(c).name;
  if (k === "name" && c.kind === "company") return company(c);
  if (/^(full|display|customer|contact|author)?name$|^(author|owner|customer|contact|manager)$/.test(k)) return `${person(c).first} ${person(c).last}`;
  if (/phone|mobile|^tel|telephone|^fax$/.test(k)) return `+1-555-${String(intBetween(r, 100, 199)).padStart(4, "0")}`;
  if (/birth|^dob$/.test(k)) return isoDate(r, true, 1950, 2004);
  if (isDateKey(key)) return isoDate(r, /^\d{4}-\d{2}-\d{2}$/.test(hint) || h === "date");
  if (/^(street|address|addressline1?|streetaddress|line1)$/.test(k)) return `${intBetween(r, 1, 999)} ${pick(r, STREETS)}`;
  if (/city|town/.test(k)) return place(c)[0];
  if (/countrycode/.test(k)) return place(c)[2];
  if (/country|nation/.test(k)) return place(c)[1];
  if (/^(state|province|region)$/.test(k)) return place(c)[3];
  if (/zip|postal|postcode/.test(k)) return String(intBetween(r, 10000, 99999));
  if (/currency/.test(k)) return place(c)[4];
  if (/image|avatar|photo|picture|thumbnail|logo/.test(k)) return `https://images.example.com/${slug(phrase(r))}.jpg`;
  if (/url|website|homepage|link|^site$|^uri$/.test(k))
    return `https://${slug(c.kind === "person" ? `${person(c).first} ${person(c).last}` : company(c))}.example.com`;
  if (/sku|partnumber/.test(k)) return `SKU-${intBetween(r, 1000, 9999)}-${hex(r, 2).toUpperCase()}`;
  if (/uuid|guid/.test(k) || k === "id" || w[w.length - 1] === "id") return uuid(r);
  if (/jobtitle|occupation|profession|position|^role$/.test(k) || (k === "title" && c.kind === "person")) return pick(r, JOBS);
  if (/title|headline|subject|heading/.test(k)) return c.kind === "product" ? product(c).name : `The ${cap(pick(r, ADJ))} ${cap(pick(r, NOUN))}`;
  if (/description|summary|bio|about|notes?$|comment|review|content|body|text|message|details|overview|feedback|reason/.test(k)) return description(c);
  if (/status/.test(k)) return pick(r, STATUSES);
  if (/category|genre|department|segment|^type$|^kind$/.test(k)) return c.kind === "product" ? product(c).category : pick(r, CATEGORIES);
  if (/colou?r/.test(k)) return pick(r, COLORS);
  if (/tag|keyword|label/.test(k)) return pick(r, TAGS);
  if (/interest|hobb|preference|likes/.test(k)) return pick(r, HOBBIES);
  if (/language|locale|^lang$/.test(k)) return pick(r, LANGUAGES);
  if (/gender/.test(k)) return pick(r, ["female", "male", "non-binary"]);
  if (/^ip(address|v4)?$/.test(k)) return `192.0.2.${intBetween(r, 1, 254)}`;
  if (/version/.test(k)) return `${intBetween(r, 1, 4)}.${intBetween(r, 0, 12)}.${intBetween(r, 0, 9)}`;
  if (/slug/.test(k)) return slug(phrase(r));
  // No name hint: follow the example's own form: a type word ("email"), a sample value, or
  // the docs' `"a|b|c"` for choices.
  if (/^[\w-]+(\|[\w-]+)+$/.test(hint)) return pick(r, hint.split("|"));
  if (h === "email" || /^[^\s@]+@[^\s@]+$/.test(hint)) return emailFor(person(c));
  if (h === "url" || h === "uri" || /^https?:\/\//.test(hint)) return `https://${slug(company(c))}.example.com`;
  if (h === "uuid") return uuid(r);
  if (/^(date|datetime|date-time|timestamp)$/.test(h) || /^\d{4}-\d{2}-\d{2}/.test(hint)) return isoDate(r, h === "date" || hint.length === 10);
  return phrase(r);
}

/** A number for field `key`, near `example` when the name gives no range. */
export function numberFor(key: string, c: FillCtx, example = 0, integer = false): number {
  const k = norm(key);
  const w = splitWords(key);
  const r = c.rng;
  const num = (min: number, max: number, decimals: number): number =>
    integer || decimals === 0 ? intBetween(r, Math.ceil(min), Math.floor(max)) : floatBetween(r, min, max, decimals);
  if (w.includes("age")) return intBetween(r, 18, 90);
  if (/years|experience|tenure/.test(k)) return intBetween(r, 1, 30);
  if (/year/.test(k)) return intBetween(r, 1990, 2025);
  if (/salary|income|wage|revenue|budget/.test(k)) return example > 0 ? num(example * 0.7, example * 1.3, 0) : intBetween(r, 30, 150) * 1000;
  if (MONEY.test(k)) return example > 0 ? num(example * 0.5, example * 1.5, 2) : num(4.99, 499.99, 2);
  if (COUNTS.test(k) || /^(num|number)$/.test(w[0] ?? "")) return intBetween(r, 1, 500);
  if (/rating|stars/.test(k)) return num(2.5, 5, 1);
  if (/confidence|probability|likelihood|ratio/.test(k)) return num(0, 1, 2);
  if (/score/.test(k)) return example > 0 && example <= 1 && !integer ? num(0, 1, 2) : intBetween(r, 40, 100);
  if (/discount|percent|pct/.test(k)) return intBetween(r, 5, 40);
  if (/^lat(itude)?$/.test(k)) return num(-60, 70, 4);
  if (/^(lng|lon|longitude)$/.test(k)) return num(-180, 180, 4);
  if (/weight|kg|grams|lbs/.test(k)) return num(0.2, 25, 1);
  if (/height|width|length|depth|size/.test(k)) return num(1, 200, 1);
  if (/duration|minutes|seconds|hours|days/.test(k)) return intBetween(r, 1, 120);
  if (/level|tier|rank|priority/.test(k)) return intBetween(r, 1, 5);
  if (/temperature|temp/.test(k)) return num(-5, 35, 1);
  if (k === "id" || w[w.length - 1] === "id") return intBetween(r, 1000, 99999);
  if (example === 0) return intBetween(r, 1, 100);
  const mag = Math.abs(example);
  const decimals = Number.isInteger(example) ? 0 : Math.min(2, (String(example).split(".")[1] ?? "").length);
  return Math.sign(example) * num(mag * 0.5, mag * 1.5, decimals);
}

export function booleanFor(key: string, rng: Rng): boolean {
  const k = norm(key);
  if (/deleted|archived|blocked|banned|suspended|disabled|hidden|locked|expired/.test(k)) return rng() < 0.15;
  if (/active|enabled|verified|available|instock|subscribed|confirmed|valid|visible|public|published|approved/.test(k)) return rng() < 0.8;
  return rng() < 0.5;
}

/** A value of the type the field name implies; used to regenerate null or broken fields. */
export function guessByName(key: string, c: FillCtx): unknown {
  if (isBooleanKey(key)) return booleanFor(key, c.rng);
  if (isNumericKey(key) && !isDateKey(key)) return numberFor(key, c);
  return stringFor(key, c);
}

const MAX_DEPTH = 32;

function fillValue(key: string, ex: unknown, c: FillCtx, depth: number): unknown {
  if (depth > MAX_DEPTH) return null;
  if (typeof ex === "string") {
    const t = ex.trim().toLowerCase();
    if (t === "number" || t === "float" || t === "decimal") return numberFor(key, c, isMoneyKey(key) ? 0.5 : 0);
    if (t === "integer" || t === "int") return numberFor(key, c, 0, true);
    if (t === "boolean" || t === "bool") return booleanFor(key, c.rng);
    return stringFor(key, c, ex);
  }
  if (typeof ex === "number") return numberFor(key, c, Number.isFinite(ex) ? ex : 0);
  if (typeof ex === "boolean") return booleanFor(key, c.rng);
  if (Array.isArray(ex)) {
    const elem = ex.length > 0 ? ex[0] : "string";
    const n = intBetween(c.rng, 1, 4);
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) {
      // Each element is its own thing: a list of emails is several people's emails.
      const ec: FillCtx = { rng: c.rng, kind: c.kind };
      let v = fillValue(key, elem, ec, depth + 1);
      // String lists (tags, hobbies) read better without repeats; a few redraws suffice.
      for (let t = 0; t < 3 && typeof v === "string" && out.includes(v); t++) v = fillValue(key, elem, { rng: c.rng, kind: c.kind }, depth + 1);
      if (typeof v === "string" && out.includes(v)) continue;
      out.push(v);
    }
    return out;
  }
  if (isPlainObject(ex)) return fillObject(ex, c.rng, depth + 1);
  return guessByName(key, c);
}

function fillObject(shape: Record<string, unknown>, rng: Rng, depth: number): Record<string, unknown> {
  const keys = Object.keys(shape);
  const c = newCtx(rng, keys);
  const out: Record<string, unknown> = {};
  for (const key of keys) define(out, key, fillValue(key, getOwn(shape, key), c, depth));
  return out;
}

/**
 * Fill an example shape in the background documents' style (`{"name":"string","age":0}`).
 * With `defect`, exactly one field is made plausibly wrong (see injectDefect).
 */
export function fillShape(shape: unknown, rng: Rng, opts: { defect?: boolean } = {}): unknown {
  const value = fillValue("", shape, newCtx(rng), 0);
  if (opts.defect) return injectDefect(value, rng).value;
  return value;
}

// ---------------------------------------------------------------------------------------------
// JSON Schema: the common subset, so that output validates (ajv) for ordinary schemas.

type Schema = Record<string, unknown>;
const finite = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const MAX_SCHEMA_DEPTH = 16;

/** Local `$ref`s only (`#/$defs/x`); a remote or broken ref is treated as the empty schema. */
function resolveRef(s: Schema, root: Schema): Schema {
  let cur = s;
  for (let hops = 0; hops < 8; hops++) {
    const ref = getOwn(cur, "$ref");
    if (typeof ref !== "string" || !ref.startsWith("#")) return cur;
    let target: unknown = root;
    for (const part of ref.slice(1).split("/").filter(Boolean)) target = getOwn(target, decodeURIComponent(part).replace(/~1/g, "/").replace(/~0/g, "~"));
    if (!isPlainObject(target)) return {};
    cur = target;
  }
  return cur;
}

/** Combine subschemas (allOf, or a chosen anyOf branch with its parent); properties and required union. */
function mergeSchemas(base: Schema, extra: Schema): Schema {
  const out: Schema = {};
  for (const [k, v] of Object.entries(base)) define(out, k, v);
  for (const [k, v] of Object.entries(extra)) {
    const prev = getOwn(out, k);
    if (k === "properties" && isPlainObject(prev) && isPlainObject(v)) define(out, k, mergeSchemas(prev, v));
    else if (k === "required" && Array.isArray(prev) && Array.isArray(v)) define(out, k, [...new Set([...prev, ...v])]);
    else define(out, k, v);
  }
  return out;
}

function schemaType(s: Schema): string | undefined {
  const t = getOwn(s, "type");
  if (typeof t === "string") return t;
  if (Array.isArray(t)) return (t.find((x) => x !== "null") ?? t[0]) as string | undefined;
  if (isPlainObject(getOwn(s, "properties")) || Array.isArray(getOwn(s, "required"))) return "object";
  if (hasOwn(s, "items") || hasOwn(s, "prefixItems")) return "array";
  return undefined;
}

function fillBySchema(key: string, s0: Schema, c: FillCtx, root: Schema, depth: number): unknown {
  const s = resolveRef(s0, root);
  if (hasOwn(s, "const")) return clone(getOwn(s, "const"));
  const en = getOwn(s, "enum");
  if (Array.isArray(en) && en.length > 0) return clone(pick(c.rng, en));
  for (const comb of ["anyOf", "oneOf"] as const) {
    const list = getOwn(s, comb);
    if (!Array.isArray(list) || list.length === 0) continue;
    // "Pick first", but skip a leading `{type:"null"}`: a nullable field should still show data.
    const branch = list.find((b) => isPlainObject(b) && getOwn(resolveRef(b, root), "type") !== "null") ?? list[0];
    const rest: Schema = {};
    for (const [k, v] of Object.entries(s)) if (k !== comb) define(rest, k, v);
    return fillBySchema(key, isPlainObject(branch) ? mergeSchemas(rest, resolveRef(branch, root)) : rest, c, root, depth);
  }
  const all = getOwn(s, "allOf");
  if (Array.isArray(all)) {
    let merged: Schema = {};
    for (const [k, v] of Object.entries(s)) if (k !== "allOf") define(merged, k, v);
    for (const sub of all) if (isPlainObject(sub)) merged = mergeSchemas(merged, resolveRef(sub, root));
    return fillBySchema(key, merged, c, root, depth);
  }
  const type = schemaType(s);
  if (depth > MAX_SCHEMA_DEPTH) return type === "array" ? [] : type === "object" ? {} : null;
  switch (type) {
    case "object":
      return fillObjectSchema(s, c.rng, root, depth);
    case "array":
      return fillArraySchema(key, s, c, root, depth);
    case "string":
      return fillStringSchema(key, s, c);
    case "number":
    case "integer":
      return fillNumberSchema(key, s, c, type === "integer");
    case "boolean":
      return booleanFor(key, c.rng);
    case "null":
      return null;
    default:
      return guessByName(key, c);
  }
}

function fillObjectSchema(s: Schema, rng: Rng, root: Schema, depth: number): Record<string, unknown> {
  const props = getOwn(s, "properties");
  const propSchemas: Schema = isPlainObject(props) ? props : {};
  const required = getOwn(s, "required");
  const keys = [...Object.keys(propSchemas)];
  if (Array.isArray(required)) for (const k of required) if (typeof k === "string" && !keys.includes(k)) keys.push(k);
  const c = newCtx(rng, keys);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const sub = getOwn(propSchemas, key);
    if (sub === false) continue; // a forbidden property
    define(out, key, isPlainObject(sub) ? fillBySchema(key, sub, c, root, depth + 1) : guessByName(key, c));
  }
  return out;
}

function fillArraySchema(key: string, s: Schema, c: FillCtx, root: Schema, depth: number): unknown[] {
  const items = getOwn(s, "items");
  const prefixRaw = getOwn(s, "prefixItems") ?? (Array.isArray(items) ? items : undefined);
  const prefix = Array.isArray(prefixRaw) ? prefixRaw : undefined;
  const minItems = finite(getOwn(s, "minItems")) ?? 0;
  const maxItems = finite(getOwn(s, "maxItems"));
  if (maxItems === 0) return [];
  const lo = Math.max(1, minItems);
  const hi = Math.max(lo, Math.min(maxItems ?? 4, Math.max(lo, 4)));
  let n = intBetween(c.rng, lo, hi);
  // A tuple without extra items is exactly as long as its prefix.
  if (prefix && (Array.isArray(items) || items === false || prefix === items)) n = Math.min(n, prefix.length);
  const unique = getOwn(s, "uniqueItems") === true;
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (let attempt = 0; out.length < n && attempt < n * 4; attempt++) {
    const sub = prefix?.[out.length] ?? items;
    const v = isPlainObject(sub) ? fillBySchema(key, sub, { rng: c.rng, kind: c.kind }, root, depth + 1) : stringFor(key, { rng: c.rng, kind: c.kind });
    const id = stableStringify(v);
    if (unique && seen.has(id)) continue;
    seen.add(id);
    out.push(v);
  }
  return out;
}

function fillStringSchema(key: string, s: Schema, c: FillCtx): string {
  const r = c.rng;
  let v: string;
  switch (getOwn(s, "format")) {
    case "email":
    case "idn-email":
      v = emailFor(person(c));
      break;
    case "date-time":
      v = isoDate(r, false);
      break;
    case "date":
      v = isoDate(r, true);
      break;
    case "time":
      v = `${String(intBetween(r, 8, 18)).padStart(2, "0")}:${pick(r, ["00", "15", "30", "45"])}:00Z`;
      break;
    case "uri":
    case "url":
    case "iri":
    case "uri-reference":
      v = `https://${slug(company(c))}.example.com/${slug(pick(r, NOUN))}`;
      break;
    case "uuid":
      v = uuid(r);
      break;
    case "hostname":
      v = `${slug(pick(r, NOUN))}.example.com`;
      break;
    case "ipv4":
      v = `192.0.2.${intBetween(r, 1, 254)}`;
      break;
    default:
      v = stringFor(key, c);
  }
  const pattern = getOwn(s, "pattern");
  if (typeof pattern === "string") {
    let re: RegExp | undefined;
    try {
      re = new RegExp(pattern, "u");
    } catch {
      re = undefined; // an invalid pattern is the schema author's problem; keep the plain value
    }
    if (re && !re.test(v)) v = stringFromPattern(pattern, r) ?? v;
  }
  const min = finite(getOwn(s, "minLength")) ?? 0;
  const max = finite(getOwn(s, "maxLength"));
  while (v.length < min) v += `${v ? " " : ""}${pick(r, NOUN)}`;
  if (max !== undefined && v.length > max) {
    v = v.slice(0, max);
    if (v.trimEnd().length >= min) v = v.trimEnd();
  }
  return v;
}

function fillNumberSchema(key: string, s: Schema, c: FillCtx, integer: boolean): number {
  const lo = Math.max(finite(getOwn(s, "minimum")) ?? -Infinity, finite(getOwn(s, "exclusiveMinimum")) ?? -Infinity);
  const hi = Math.min(finite(getOwn(s, "maximum")) ?? Infinity, finite(getOwn(s, "exclusiveMaximum")) ?? Infinity);
  const xlo = finite(getOwn(s, "exclusiveMinimum"));
  const xhi = finite(getOwn(s, "exclusiveMaximum"));
  const ok = (x: number): boolean =>
    x >= lo && x <= hi && (xlo === undefined || x > xlo) && (xhi === undefined || x < xhi) && (!integer || Number.isInteger(x));
  let v = numberFor(key, c, 0, integer);
  if (!ok(v)) {
    // Name-based value falls outside the bounds: draw inside them instead.
    const span = Number.isFinite(lo) && Number.isFinite(hi) ? hi - lo : Math.max(10, Math.abs(Number.isFinite(lo) ? lo : hi));
    const raw = Number.isFinite(lo) ? lo + c.rng() * span : Number.isFinite(hi) ? hi - c.rng() * span : 0;
    const cands = integer
      ? [Math.round(raw), Math.ceil(raw), Math.floor(raw), Math.floor(lo) + 1, Math.ceil(hi) - 1]
      : [Math.round(raw * 100) / 100, raw, (lo + hi) / 2];
    v = cands.find(ok) ?? raw;
  }
  const m = finite(getOwn(s, "multipleOf"));
  if (m !== undefined && m > 0) {
    const k = Math.round(v / m);
    const dec = (String(m).split(".")[1] ?? "").length;
    const snapped = [k, k + 1, k - 1].map((j) => Number((j * m).toFixed(dec))).find(ok);
    if (snapped !== undefined) v = snapped;
  }
  return v;
}

/** Fill a JSON Schema with plausible, valid data (common subset: see module notes). */
export function fillSchema(schema: Record<string, unknown>, rng: Rng): unknown {
  return fillBySchema("", schema, newCtx(rng), schema, 0);
}

// ---------------------------------------------------------------------------------------------
// Defects: what a critic flags, and how a reviser fixes it. Shared rules keep the two in step,
// so a simulated validation loop converges: fixDefects(v, findDefects(v, r)) passes findDefects.

interface Node {
  path: string;
  key: string;
  value: unknown;
  parent: Record<string, unknown> | unknown[] | undefined;
  slot: string | number;
}

function collect(value: unknown, out: Node[] = [], path = "", key = "", parent?: Node["parent"], slot: string | number = "", depth = 0): Node[] {
  out.push({ path, key, value, parent, slot });
  if (depth > 64) return out;
  if (Array.isArray(value)) for (let i = 0; i < value.length; i++) collect(value[i], out, `${path}[${i}]`, key, value, i, depth + 1);
  else if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) collect(v, out, path ? `${path}.${k}` : k, k, value, k, depth + 1);
  return out;
}

function setSlot(parent: NonNullable<Node["parent"]>, slot: string | number, v: unknown): void {
  if (Array.isArray(parent)) parent[slot as number] = v;
  else define(parent, String(slot), v);
}

function clone(v: unknown, depth = 0): unknown {
  if (depth > 64) return null;
  if (Array.isArray(v)) return v.map((x) => clone(x, depth + 1));
  if (isPlainObject(v)) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) define(o, k, clone(x, depth + 1));
    return o;
  }
  return v;
}

const label = (path: string): string => path || "value";
const fmt = (v: unknown): string => {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v);
  if (Array.isArray(v)) return `[${v.length} items]`;
  if (isPlainObject(v)) return "{...}";
  return v === undefined ? "missing" : String(v);
};

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const PLACEHOLDER =
  /^(string|text|test|todo|tbd|n\/?a|none|null|undefined|unknown|lorem ipsum.*|foo|bar|baz|asdf|x{2,}|\?+|-+|placeholder|example|sample|value|number)$/i;
const digitCount = (s: string): number => s.replace(/\D/g, "").length;

/** Strict for ISO strings (Date.parse accepts 2024-02-30); lenient Date.parse otherwise. */
function validDate(s: string): boolean {
  const m = ISO_RE.exec(s);
  if (!m) return !Number.isNaN(Date.parse(s));
  const [y, mo, d, hh, mi, ss] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x))) as number[];
  if (mo === undefined || d === undefined || y === undefined || mo < 1 || mo > 12) return false;
  return d >= 1 && d <= new Date(Date.UTC(y, mo, 0)).getUTCDate() && (hh ?? 0) < 24 && (mi ?? 0) < 60 && (ss ?? 0) < 60;
}

function genericProblem(key: string, v: unknown): string | undefined {
  if (v === null) return "is null";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return `is ${fmt(v)} (not a finite number)`;
    if (v < 0 && isPositiveKey(key)) return `is ${v} (must not be negative)`;
  }
  if (typeof v === "string") {
    if (v.trim() === "") return "is empty";
    if (isEmailKey(key) && !EMAIL_RE.test(v)) return `is ${fmt(v)} (not a valid email)`;
    if ((isDateKey(key) || ISO_RE.test(v)) && !validDate(v)) return `is ${fmt(v)} (not a valid date)`;
  }
  return undefined;
}

const isBlank = (v: unknown): boolean =>
  v === null ||
  v === undefined ||
  (typeof v === "string" && v.trim() === "") ||
  (Array.isArray(v) && v.length === 0) ||
  (isPlainObject(v) && Object.keys(v).length === 0);

function invalid(key: string, v: unknown): boolean {
  if (typeof v === "number") return !Number.isFinite(v);
  if (typeof v !== "string") return v === null;
  if (isEmailKey(key)) return !EMAIL_RE.test(v);
  if (isDateKey(key) || ISO_RE.test(v)) return !validDate(v);
  if (/url|website|homepage|link/.test(norm(key))) return !/^https?:\/\/[^\s/]+\.[^\s]+$/.test(v);
  if (/phone|mobile/.test(norm(key))) return digitCount(v) < 7;
  return v.trim() === "";
}

function unrealistic(key: string, v: unknown): boolean {
  if (v === null || v === undefined) return true;
  const k = norm(key);
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return true;
    if (splitWords(key).includes("age")) return !Number.isInteger(v) || v < 0 || v > 120;
    if (isPositiveKey(key) && v < 0) return true;
    if (MONEY.test(k)) return v > 1e7;
    if (/rating|stars/.test(k)) return v > 10;
    if (/year/.test(k) && !/years/.test(k)) return v < 1900 || v > 2100;
    if (/percent|discount|pct/.test(k)) return v < 0 || v > 100;
    return false;
  }
  if (typeof v !== "string") return false;
  if (v.trim() === "" || PLACEHOLDER.test(v.trim())) return true;
  if (isEmailKey(key)) return !EMAIL_RE.test(v);
  if (isDateKey(key)) return !validDate(v) || (ISO_RE.test(v) && (Number(v.slice(0, 4)) < 1900 || Number(v.slice(0, 4)) > 2100));
  if (/phone|mobile/.test(k)) return digitCount(v) < 7;
  return false;
}

function regenerate(key: string, v: unknown, c: FillCtx): unknown {
  if (typeof v === "number") return numberFor(key, c);
  if (typeof v === "boolean") return v;
  if (Array.isArray(v)) return v.length > 0 ? v : fillValue(key, ["string"], c, 0);
  if (isPlainObject(v)) return v;
  if (typeof v === "string" && !isDateKey(key) && ISO_RE.test(v)) return isoDate(c.rng, v.length === 10);
  return v === null || v === undefined ? guessByName(key, c) : stringFor(key, c);
}

interface Rule {
  check(key: string, v: unknown): boolean;
  fix(key: string, v: unknown, c: FillCtx): unknown;
}

const NUM = "(-?\\d+(?:\\.\\d+)?)";
const UNIT = "\\s*(characters?|chars?|letters?|items?|elements?|entries|values|tags)?";
const RANGES: Array<[RegExp, "min" | "xmin" | "max" | "xmax" | "between"]> = [
  [new RegExp(`(?:between|from)\\s+${NUM}\\s+(?:and|to)\\s+${NUM}${UNIT}`), "between"],
  [new RegExp(`(?:at least|minimum(?: of)?|no less than|>=|≥)\\s*${NUM}${UNIT}`), "min"],
  [new RegExp(`(?:greater than|more than|above|over|>)\\s*${NUM}${UNIT}`), "xmin"],
  [new RegExp(`(?:at most|maximum(?: of)?|no more than|up to|<=|≤)\\s*${NUM}${UNIT}`), "max"],
  [new RegExp(`(?:less than|fewer than|under|below|<)\\s*${NUM}${UNIT}`), "xmax"],
];

/** Bounds on a number, a string's length or an array's length, per the unit word after it. */
function rangeRule(lo: number, hi: number, unit: string | undefined, exclusive: "lo" | "hi" | "" = ""): Rule {
  const kind = !unit ? "number" : /^(char|letter)/.test(unit) ? "string" : "array";
  const measure = (v: unknown): number | undefined =>
    kind === "number"
      ? typeof v === "number" && Number.isFinite(v)
        ? v
        : undefined
      : kind === "string"
        ? typeof v === "string"
          ? v.length
          : undefined
        : Array.isArray(v)
          ? v.length
          : undefined;
  // Exclusive bounds step inward by one for whole measures and by a cent otherwise.
  const step = (x: number, v: unknown): number => (kind !== "number" || (Number.isInteger(x) && Number.isInteger(v)) ? 1 : 0.01);
  const inside = (m: number): boolean => m >= lo && m <= hi && !(exclusive === "lo" && m === lo) && !(exclusive === "hi" && m === hi);
  return {
    check: (_k, v) => {
      const m = measure(v);
      return m !== undefined && !inside(m);
    },
    fix: (key, v, c) => {
      const min = exclusive === "lo" ? lo + step(lo, v) : lo;
      const max = exclusive === "hi" ? hi - step(hi, v) : hi;
      if (typeof v === "number") return Math.min(max, Math.max(min, v));
      if (typeof v === "string") {
        let s = v;
        while (s.length < min) s += `${s ? " " : ""}${pick(c.rng, NOUN)}`;
        return s.slice(0, Math.max(0, max));
      }
      if (Array.isArray(v)) {
        const a = v.slice(0, Math.max(0, max));
        while (a.length < min) a.push(a.length > 0 ? clone(a[a.length % v.length]) : guessByName(key, c));
        return a;
      }
      return v;
    },
  };
}

/** The checks a rubric clause (or an issue text) asks for. */
function rulesFor(t: string): Rule[] {
  const rules: Rule[] = [];
  const abs = (_k: string, v: unknown): unknown => Math.abs(v as number);
  if (/non-?negative|not (be )?negative|zero or (more|greater|above)|(>=|≥)\s*0(?![\d.])|at least (0|zero)(?![\d.])/.test(t))
    rules.push({ check: (_k, v) => typeof v === "number" && v < 0, fix: abs });
  else if (/\bpositive\b|(greater|more) than (0|zero)(?![\d.])|above (0|zero)(?![\d.])|>\s*0(?![\d.])/.test(t))
    rules.push({ check: (_k, v) => typeof v === "number" && v <= 0, fix: (_k, v) => ((v as number) < 0 ? -(v as number) : 1) });
  if (
    /non-?empty|not (be )?(empty|blank)|must (be )?(present|provided|filled|set)|\brequired\b|mandatory|\bmissing\b|must (have|include)|\bis (empty|null)\b/.test(
      t,
    )
  )
    rules.push({ check: (_k, v) => isBlank(v), fix: regenerate });
  if (/\bvalid\b|\binvalid\b|well-?formed|\bproper\b|\bformat/.test(t)) rules.push({ check: invalid, fix: regenerate });
  if (/realistic|plausible|reasonable|sensible|believable|placeholder|real-?world|implausible|too (high|low|large|small|big|old|young)/.test(t))
    rules.push({ check: unrealistic, fix: regenerate });
  if (/\binteger\b|whole number/.test(t))
    rules.push({ check: (_k, v) => typeof v === "number" && Number.isFinite(v) && !Number.isInteger(v), fix: (_k, v) => Math.round(v as number) });
  if (/unique|distinct|duplicate/.test(t))
    rules.push({
      check: (_k, v) => Array.isArray(v) && new Set(v.map(stableStringify)).size !== v.length,
      fix: (_k, v) => (v as unknown[]).filter((x, i, a) => a.findIndex((y) => stableStringify(y) === stableStringify(x)) === i),
    });
  for (const [re, kind] of RANGES) {
    const m = re.exec(t);
    if (!m) continue;
    const a = Number(m[1]);
    const b = Number(m[2]);
    if (kind === "between") rules.push(rangeRule(Math.min(a, b), Math.max(a, b), m[3]));
    else if (kind === "min") rules.push(rangeRule(a, Infinity, m[2]));
    else if (kind === "xmin") rules.push(rangeRule(a, Infinity, m[2], "lo"));
    else if (kind === "max") rules.push(rangeRule(-Infinity, a, m[2]));
    else rules.push(rangeRule(-Infinity, a, m[2], "hi"));
  }
  return rules;
}

const mentionCache = new Map<string, RegExp[]>();
function mentionRes(key: string): RegExp[] {
  let res = mentionCache.get(key);
  if (!res) {
    const variants = new Set([key.toLowerCase(), splitWords(key).join(" "), norm(key)]);
    res = [...variants].filter((v) => v.length >= 2).map((v) => new RegExp(`(^|[^a-z0-9])${v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(e?s)?(?![a-z0-9])`, "g"));
    if (mentionCache.size > 5000) mentionCache.clear();
    mentionCache.set(key, res);
  }
  return res;
}

/**
 * The fields a text talks about (`firstName` as "first name", "firstname", plurals). Longer
 * names claim their words first, so "unit price" names `unitPrice` and not also `price`.
 */
function namedIn(text: string, keys: readonly string[]): string[] {
  let rest = text;
  const out: string[] = [];
  for (const key of [...keys].sort((a, b) => splitWords(b).length - splitWords(a).length || b.length - a.length)) {
    for (const re of mentionRes(key)) {
      re.lastIndex = 0;
      if (!re.test(rest)) continue;
      re.lastIndex = 0;
      rest = rest.replace(re, "$1 ");
      out.push(key);
      break;
    }
  }
  return out;
}

const WHOLE =
  /\b(all|every|each|any|no|none|fields?|values?|numbers?|strings?|data|record|records|output|response|result|everything|it)\b|^\s*(must|should|be|is|are)\b/;

interface Step {
  rules: Rule[];
  keys: Set<string> | "all";
}

/**
 * Split a rubric line into clauses ("price is positive and email is valid") and pair each
 * clause's checks with the fields it names. A clause naming fields but no check passes them to
 * the next ("email and name must be non-empty"); a check naming no field reuses the previous
 * fields; a line naming no field at all applies to every field.
 */
function plan(line: string, keys: readonly string[]): Step[] {
  const steps: Step[] = [];
  let pending: string[] = [];
  let last: string[] = [];
  for (const clause of line.toLowerCase().split(/[;,]|\.\s|\band\b(?!\s*-?\d)|\bbut\b|\bwhile\b/)) {
    const named = namedIn(clause, keys);
    const rules = rulesFor(clause);
    if (rules.length === 0) {
      pending.push(...named);
      continue;
    }
    let targets = [...pending, ...named];
    pending = [];
    if (targets.length === 0) targets = last;
    last = targets;
    if (targets.length > 0) steps.push({ rules, keys: new Set(targets) });
    // Naming no field applies to all of them only when the clause is about the whole record
    // ("no placeholder values", "must be realistic"); "price is positive" on a record without a
    // price checks nothing rather than every number.
    else if (WHOLE.test(clause)) steps.push({ rules, keys: "all" });
  }
  return steps;
}

const distinctKeys = (nodes: readonly Node[]): string[] => [...new Set(nodes.map((n) => n.key).filter(Boolean))];

/**
 * Human-readable problems, one per field: a field breaking several rubric lines cites them all
 * (so one revision can satisfy every one), and a rubric citation replaces a generic complaint.
 */
export function findDefects(value: unknown, rubric: readonly string[] = []): string[] {
  const nodes = collect(value);
  const found = new Map<string, { node: Node; generic?: string; lines: string[] }>();
  for (const n of nodes) {
    const p = genericProblem(n.key, n.value);
    if (p) found.set(n.path, { node: n, generic: p, lines: [] });
  }
  const keys = distinctKeys(nodes);
  for (const raw of rubric) {
    if (typeof raw !== "string" || raw.trim() === "") continue;
    const line = raw.trim();
    for (const step of plan(line, keys)) {
      for (const n of nodes) {
        if (step.keys !== "all" && !step.keys.has(n.key)) continue;
        if (!step.rules.some((r) => r.check(n.key, n.value))) continue;
        const f = found.get(n.path);
        if (!f) found.set(n.path, { node: n, lines: [line] });
        else if (!f.lines.includes(line)) f.lines.push(line);
      }
    }
  }
  return [...found.values()].map(({ node, generic, lines }) =>
    lines.length > 0
      ? `${label(node.path)} is ${fmt(node.value)} (rubric: ${lines.map((l) => JSON.stringify(l)).join("; ")})`
      : `${label(node.path)} ${generic}`,
  );
}

/** A context whose person matches the object's own name fields, so a fixed email fits the name. */
function ctxFor(parent: Node["parent"], rng: Rng): FillCtx {
  if (!isPlainObject(parent)) return newCtx(rng);
  const c = newCtx(rng, Object.keys(parent));
  let first: string | undefined;
  let last: string | undefined;
  for (const [k, v] of Object.entries(parent)) {
    if (typeof v !== "string" || !v.trim()) continue;
    const n = norm(k);
    if (/^(first|given)name$/.test(n)) first = v;
    else if (/^(last|family|sur)name$|^surname$/.test(n)) last = v;
    else if (/^(full|display|customer|contact)?name$/.test(n) && c.kind !== "product" && /^\S+\s+\S+/.test(v))
      [first, last] = [v.split(/\s+/)[0], v.split(/\s+/).slice(1).join(" ")];
  }
  if (first && last) c.person = { first, last, domain: pick(rng, DOMAINS) };
  return c;
}

function genericFix(key: string, v: unknown, c: FillCtx): unknown {
  if (typeof v === "number") return Number.isFinite(v) ? Math.abs(v) : numberFor(key, c);
  if (typeof v === "string" && v.trim() !== "" && isEmailKey(key)) return emailFor(person(c));
  return regenerate(key, v, c);
}

/**
 * A corrected deep copy: generic defects are always fixed, and each issue is read like a
 * rubric line (so `price is -3 (rubric: "price is positive")` fixes every non-positive price).
 * Deterministic: the replacement values are seeded by the input itself.
 */
export function fixDefects(value: unknown, issues: readonly string[] = []): unknown {
  const rng = createRng(`fix|${stableStringify(value)}`);
  let root = clone(value);
  for (let pass = 0; pass < 3; pass++) {
    const nodes = collect(root);
    const keys = distinctKeys(nodes);
    const steps = issues.flatMap((i) => (typeof i === "string" ? plan(i, keys) : []));
    const ctxs = new Map<unknown, FillCtx>();
    let changed = false;
    for (const n of nodes) {
      let c = ctxs.get(n.parent);
      if (!c) ctxs.set(n.parent, (c = ctxFor(n.parent, rng)));
      let v = n.value;
      if (genericProblem(n.key, v)) v = genericFix(n.key, v, c);
      for (const s of steps) {
        if (s.keys !== "all" && !s.keys.has(n.key)) continue;
        for (const r of s.rules) if (r.check(n.key, v)) v = r.fix(n.key, v, c);
      }
      if (v === n.value) continue;
      changed = true;
      if (n.parent) setSlot(n.parent, n.slot, v);
      else root = v;
    }
    if (!changed) break;
  }
  return root;
}

/**
 * Make exactly one field plausibly wrong: a positive-only number goes negative, or an email
 * becomes "not-an-email", or else a string goes empty. Mutates containers in place.
 */
export function injectDefect(value: unknown, rng: Rng): { value: unknown; path?: string } {
  const nodes = collect(value);
  const strong = nodes.filter(
    (n) => (typeof n.value === "number" && n.value > 0 && isPositiveKey(n.key)) || (typeof n.value === "string" && isEmailKey(n.key) && EMAIL_RE.test(n.value)),
  );
  const pool = strong.length > 0 ? strong : nodes.filter((n) => typeof n.value === "string" && n.value.trim() !== "");
  if (pool.length === 0) return { value };
  const n = pick(rng, pool);
  const bad = typeof n.value === "number" ? -n.value : isEmailKey(n.key) ? "not-an-email" : "";
  if (!n.parent) return { value: bad, path: label(n.path) };
  setSlot(n.parent, n.slot, bad);
  return { value, path: label(n.path) };
}
