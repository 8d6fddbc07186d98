/**
 * People, places, products and strings: one plausible value for a field, chosen by its name.
 */
import { floatBetween, intBetween, pick, type Rng } from "../rng.js";
import { COUNTS, isBooleanKey, isDateKey, isEmailKey, isMoneyKey, isNumericKey, MONEY, norm, splitWords } from "./keys.js";
import {
  ADJ,
  CATEGORIES,
  COLORS,
  COMPANIES,
  DOMAINS,
  FIRST,
  HOBBIES,
  JOBS,
  LANGUAGES,
  LAST,
  NOUN,
  PLACES,
  PRODUCT_ADJ,
  PRODUCTS,
  STATUSES,
  STREETS,
  TAGS,
} from "./words.js";
import { hasTopic, type Topic, titleCase } from "./topic.js";

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
  /** What the prompt is about: names, categories, titles and tags take its words. */
  topic?: Topic;
}

/**
 * The context for one object. The prompt's kind ("Describe the product …") decides for the
 * top-level object, whatever its keys, and for nested objects whose keys say nothing.
 */
export function newCtx(rng: Rng, keys: readonly string[] = [], topic?: Topic, root = false): FillCtx {
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
  const hinted = topic?.kind && (root || kind === "generic") ? topic.kind : kind;
  return { rng, kind: hinted, ...(topic ? { topic } : {}) };
}

/** A context for an array element or nested value: same random stream, kind and topic, no shared person. */
export const subCtx = (c: FillCtx): FillCtx => ({ rng: c.rng, kind: c.kind, ...(c.topic ? { topic: c.topic } : {}) });
export const person = (c: FillCtx): Person => (c.person ??= { first: pick(c.rng, FIRST), last: pick(c.rng, LAST), domain: pick(c.rng, DOMAINS) });
const place = (c: FillCtx): (typeof PLACES)[number] => (c.place ??= pick(c.rng, PLACES));
export const company = (c: FillCtx): string => (c.company ??= pick(c.rng, COMPANIES));
export const slug = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const phrase = (rng: Rng): string => `${pick(rng, ADJ)} ${pick(rng, NOUN)}`;
/**
 * A product: named after the thing the prompt names ("Compact Wireless Mouse"), else a stock
 * product carrying the prompt's code ("Compact Keyboard WM-123"), else a stock product.
 */
function newProduct(c: FillCtx): { name: string; category: string } {
  const r = c.rng;
  const t = c.topic;
  if (hasTopic(t)) {
    const multi = t.phrases.filter((p) => p.includes(" "));
    const thing = titleCase(pick(r, multi.length > 0 ? multi : t.phrases));
    const known = PRODUCTS.find(([noun]) => thing.toLowerCase().endsWith(noun.toLowerCase()));
    return { name: `${pick(r, PRODUCT_ADJ)} ${thing}`, category: known ? known[1] : thing };
  }
  const [noun, category] = pick(r, PRODUCTS);
  const code = t && t.codes.length > 0 ? ` ${pick(r, t.codes)}` : "";
  return { name: `${pick(r, PRODUCT_ADJ)} ${noun}${code}`, category };
}
const product = (c: FillCtx): { name: string; category: string } => (c.product ??= newProduct(c));
export const emailFor = (p: Person): string => `${slug(p.first)}.${slug(p.last)}@${p.domain}`.replace(/-/g, "");
/** A product's or a company's email is the company's, not a person's. */
export const contactEmail = (c: FillCtx): string =>
  c.kind === "product" || c.kind === "company"
    ? `${pick(c.rng, ["sales", "support", "hello", "orders"])}@${slug(company(c))}.example.com`
    : emailFor(person(c));
/** A phrase from the prompt when it has one (a several-word phrase, being more telling, twice as likely), else a stock two-word phrase. */
function topicPhrase(c: FillCtx): string {
  if (!hasTopic(c.topic)) return phrase(c.rng);
  const all = c.topic.phrases;
  return pick(c.rng, [...all, ...all.filter((p) => p.includes(" "))]);
}
/** A single word from the prompt for list fields (tags, keywords), else one from `fallback`. */
const topicWord = (c: FillCtx, fallback: readonly string[]): string =>
  c.topic && c.topic.words.length > 0 ? pick(c.rng, c.topic.words).toLowerCase() : pick(c.rng, fallback);
/** A year, as dates in the fixed window are. */
const year = (r: Rng, from = 1990): number => intBetween(r, from, 2025);
const hex = (rng: Rng, n: number): string => Array.from({ length: n }, () => "0123456789abcdef"[Math.floor(rng() * 16)]).join("");
export const uuid = (rng: Rng): string => `${hex(rng, 8)}-${hex(rng, 4)}-4${hex(rng, 3)}-${"89ab"[intBetween(rng, 0, 3)]}${hex(rng, 3)}-${hex(rng, 12)}`;

/** A fixed window (2020-01-01 … 2025-06-30) keeps dates plausible without reading the clock. */
export function isoDate(rng: Rng, dateOnly: boolean, fromYear = 2020, toYear = 2025): string {
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
  if (hasTopic(c.topic)) {
    const a = topicPhrase(c);
    const b = topicPhrase(c);
    return b === a ? `A ${pick(r, ADJ)}, practical look at ${a}.` : `A ${pick(r, ADJ)}, practical look at ${a}, with ${b} in mind.`;
  }
  return `A ${phrase(r)} that keeps things ${pick(r, ADJ)} and ${pick(r, ADJ)}.`;
}

/** One line of a list of points, about a thing the prompt names. */
function pointFor(c: FillCtx): string {
  const a = topicPhrase(c);
  return pick(c.rng, [
    `Start small with ${a}.`,
    `Be explicit about ${a}.`,
    `Check ${a} before going further.`,
    `Keep ${a} simple to maintain.`,
    `Measure how ${a} works in practice.`,
  ]);
}

/** A headline about the prompt's subject. */
function titleFor(c: FillCtx): string {
  const r = c.rng;
  if (c.kind === "product") return product(c).name;
  if (!hasTopic(c.topic)) return `The ${cap(pick(r, ADJ))} ${cap(pick(r, NOUN))}`;
  const a = titleCase(topicPhrase(c));
  const b = titleCase(topicPhrase(c));
  return pick(r, [`${a}: A ${cap(pick(r, ADJ))} Guide`, b === a ? `Why ${a} Matters` : `${a} for ${b}`, `The ${cap(pick(r, ADJ))} Side of ${a}`]);
}

/** A string for field `key`. `hint` is the example value, used only when the name says nothing. */
export function stringFor(key: string, c: FillCtx, hint = ""): string {
  const k = norm(key);
  const w = splitWords(key);
  const r = c.rng;
  const h = hint.toLowerCase();
  if (isEmailKey(key)) return contactEmail(c);
  if (/^(username|user|login|handle|nickname|screenname)$/.test(k)) return `${slug(person(c).first)}${intBetween(r, 10, 99)}`;
  if (/^(first|given)name$|^first$/.test(k)) return person(c).first;
  if (/^(last|family|sur)name$|^last$|^surname$/.test(k)) return person(c).last;
  if (/company|employer|organi[sz]ation|brand|vendor|supplier|manufacturer|publisher/.test(k)) return company(c);
  if (/productname|^product$|^item$|itemname/.test(k) || (k === "name" && c.kind === "product")) return product(c).name;
  if (k === "name" && c.kind === "company") return company(c);
  // A `name` in a prompt about a thing (not a person) names that thing.
  if (k === "name" && c.kind === "generic" && hasTopic(c.topic)) return titleCase(topicPhrase(c));
  if (/^(full|display|customer|contact|author)?name$|^(author|owner|customer|contact|manager)$/.test(k)) return `${person(c).first} ${person(c).last}`;
  if (/phone|mobile|^tel|telephone|^fax$/.test(k)) return `+1-555-${String(intBetween(r, 100, 199)).padStart(4, "0")}`;
  if (/birth|^dob$/.test(k)) return isoDate(r, true, 1950, 2004);
  if (/year$|^(founded|established)$/.test(k)) return String(year(r));
  if (/since|until|expir/.test(k)) return isoDate(r, true, 2010);
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
  if (/^(topics?|subjects?|themes?|focus|keyphrases?|concepts?)$/.test(k)) return topicPhrase(c);
  if (/title|headline|subject|heading/.test(k)) return titleFor(c);
  if (/calltoaction|^cta$|slogan|tagline/.test(k))
    return `${pick(r, ["Try", "Discover", "Get"])} ${c.kind === "product" ? product(c).name : titleCase(topicPhrase(c))} today.`;
  if (/points|steps|tips|takeaways|recommendations|highlights|advice|insights|reasons|pros|cons|benefits|risks/.test(k)) return pointFor(c);
  if (
    /description|summary|bio|about|notes?$|comment|review|content|body|text|message|details|overview|feedback|reason|answer|response|reply|explanation|solution/.test(
      k,
    )
  )
    return description(c);
  if (/warehouse|depot|facility|store$|location/.test(k)) return `${place(c)[0]} ${pick(r, ["Warehouse", "Distribution Center", "Depot"])}`;
  if (/status/.test(k)) return pick(r, STATUSES);
  if (/categor|genre|department|segment|^type$|^kind$/.test(k))
    return c.kind === "product" ? product(c).category : hasTopic(c.topic) ? topicPhrase(c) : pick(r, CATEGORIES);
  if (/colou?r/.test(k)) return pick(r, COLORS);
  if (/tag|keyword|label/.test(k)) return topicWord(c, TAGS);
  if (/interest|hobb|preference|likes/.test(k)) return pick(r, HOBBIES);
  if (/language|locale|^lang$/.test(k)) return pick(r, LANGUAGES);
  if (/gender/.test(k)) return pick(r, ["female", "male", "non-binary"]);
  if (/^ip(address|v4)?$/.test(k)) return `192.0.2.${intBetween(r, 1, 254)}`;
  if (/version/.test(k)) return `${intBetween(r, 1, 4)}.${intBetween(r, 0, 12)}.${intBetween(r, 0, 9)}`;
  if (/slug/.test(k)) return slug(topicPhrase(c));
  if (/tier|^plan$|membership/.test(k)) return pick(r, ["basic", "standard", "premium", "enterprise"]);
  if (/channel/.test(k)) return pick(r, ["email", "phone", "sms", "chat"]);
  if (isMoneyKey(key) && /bracket|range|band/.test(k)) {
    const lo = intBetween(r, 2, 12) * 10_000;
    return `${lo}-${lo + 25_000}`;
  }
  // A number asked for as a string ("price": "string") is still a number.
  if (isNumericKey(key) && !isDateKey(key)) return String(numberFor(key, c, isMoneyKey(key) ? 0.5 : 0));
  // No name hint: follow the example's own form: a type word ("email"), a sample value, or
  // the docs' `"a|b|c"` for choices.
  if (/^[\w-]+(\|[\w-]+)+$/.test(hint)) return pick(r, hint.split("|"));
  if (h === "email" || /^[^\s@]+@[^\s@]+$/.test(hint)) return emailFor(person(c));
  if (h === "url" || h === "uri" || /^https?:\/\//.test(hint)) return `https://${slug(company(c))}.example.com`;
  if (h === "uuid") return uuid(r);
  if (/^(date|datetime|date-time|timestamp)$/.test(h) || /^\d{4}-\d{2}-\d{2}/.test(hint)) return isoDate(r, h === "date" || hint.length === 10);
  return topicPhrase(c);
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
  if (/year|since|founded|established/.test(k)) return year(r);
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
