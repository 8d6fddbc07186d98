/**
 * What a prompt is about, read the way a model would: the things it names ("wireless mouse",
 * "small business owners"), codes it quotes (WM-123), and whether it asks about a product, a
 * person or a company. Fields that ask for names, categories, topics, titles or tags take their
 * words from here, so the simulated answer is about what the prompt (and the input rendered into
 * it) says rather than about a random harbor.
 */
export type TopicKind = "person" | "product" | "company";

export interface Topic {
  /** The kind of thing the prompt asks about, from its first telling word ("user", "product", ...). */
  kind?: TopicKind;
  /** Content phrases (1–3 words) in prompt order, without repeats. */
  phrases: string[];
  /** Single content words in prompt order, without repeats. */
  words: string[];
  /** Identifiers such as SKUs: letters and digits joined by '-' or '_'. */
  codes: string[];
}

export const EMPTY_TOPIC: Topic = { phrases: [], words: [], codes: [] };

/** Words that say what is asked for. They steer the answer's kind and are not themselves topics. */
const KIND_WORDS: Record<string, TopicKind> = {};
for (const w of "product products sku skus item items merchandise goods listing catalog catalogue ad ads advert advertisement price pricing stock inventory".split(
  " ",
))
  KIND_WORDS[w] = "product";
for (const w of "person people user users customer customers profile profiles employee employees member members patient student persona candidate account".split(
  " ",
))
  KIND_WORDS[w] = "person";
for (const w of "company companies organisation organization startup firm vendor supplier employer".split(" ")) KIND_WORDS[w] = "company";

/**
 * Instruction words, function words, JSON type names, and the words of the simulator's own
 * sentences (a revision prompt quotes the draft): what a prompt says around its subject. One list,
 * so a phrase breaks wherever one of them stands.
 */
const STOP = new Set(
  `a an the this that these those with from into onto about above across after against along among around at before behind below beneath beside between beyond by
  during except for in inside near of off on out outside over past per since through throughout till to toward towards under until up upon via within without
  and or nor but so yet if then than else when where while which who whom whose what why how whether because as also only just very more most less least much
  many few some any each every all both either neither none no not own same such too can could may might must shall should will would do does did done is are
  was were be been being am has have had having it its it's they them their theirs we us our you your yours he she him her his i me my mine one two three
  here there please write generate create describe propose report add make give list return provide produce output input answer reply respond explain show
  tell fix correct improve validate check ensure review integrate combine merge summarise summarize draft rewrite use using based following given aimed
  need needs want wants get new short long brief simple good best possible realistic plausible consistent valid sure let like well way thing things something
  json string number integer boolean null true false object array field fields value values data record records shape schema example sample test format
  issue issues problem problems attempt attempts exhausted result results text name email age question request task topic subject content
  details information info kind type version prompt instructions rules safely quickly briefly clearly carefully exactly really mostly usually likely simply
  fully keep start measure maintain practice works going further explicit practical look mind design built everyday warranty backed discover try
  today guide side matters`.split(/\s+/),
);

const DETERMINERS = new Set(["a", "an", "the", "this", "these", "that", "those", "my", "our", "your", "some", "one"]);
const TOKEN = /[\p{L}\p{N}][\p{L}\p{N}'’_-]*/gu;
const CODE = /^(?=.*\p{L})(?=.*\p{N})[\p{L}\p{N}]+(?:[-_][\p{L}\p{N}]+)*$/u;
/** A quoted string and whether a colon follows it (a JSON key: a field name, not a topic). */
const QUOTED = /"((?:[^"\\]|\\.)*)"(\s*:)?/g;
/** Emails and URLs are values of their own, not words. */
const ADDRESS = /[^\s"'<>(),;]+@[^\s"'<>(),;]+\.[^\s"'<>(),;]+|https?:\/\/[^\s"'<>]+/g;
const BREAK = /[.,;:!?()[\]{}"“”|\n\t/\\]+/;
const MAX_TEXT = 20_000;

/** Reads a prompt's topic. Pure and linear in the text (which is capped), so it costs little per call. */
export function topicOf(text: string): Topic {
  const src = (text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text).replace(ADDRESS, " | ");
  const t: Topic = { phrases: [], words: [], codes: [] };
  // Prose and quoted values (a rendered input or upstream output) are read alike, except that a
  // quoted value keeps its capitals: there no capital merely starts a sentence.
  let at = 0;
  for (const m of src.matchAll(QUOTED)) {
    readProse(src.slice(at, m.index), t, false);
    if (!m[2]) readProse(m[1] ?? "", t, true);
    at = m.index + m[0].length;
  }
  readProse(src.slice(at), t, false);
  return t;
}

function readProse(text: string, t: Topic, keepCase: boolean): void {
  for (const segment of text.split(BREAK)) {
    let run: string[] = [];
    const flush = (): void => {
      if (run.length > 0) addUnique(t.phrases, run.slice(-3).join(" "));
      run = [];
    };
    const tokens = segment.match(TOKEN) ?? [];
    for (let i = 0; i < tokens.length; i++) {
      const atStart = i === 0 && !keepCase;
      const token = (tokens[i] as string).replace(/['’_-]+$/, "");
      const lower = token.toLowerCase();
      // "Plan a workshop on …": a sentence opening on a word and an article opens on a verb.
      if (atStart && DETERMINERS.has(tokens[1]?.toLowerCase() ?? "")) continue;
      const hint = KIND_WORDS[lower];
      if (hint) t.kind ??= hint;
      if (CODE.test(token) && /[-_]|\p{Lu}/u.test(token)) {
        addUnique(t.codes, token);
        flush();
        continue;
      }
      if (hint || STOP.has(lower) || token.length < 3 || /^\p{N}+$/u.test(token)) {
        flush();
        continue;
      }
      // A capital that only starts the sentence is dropped; proper nouns and acronyms keep theirs.
      const word = atStart && /^\p{Lu}\p{Ll}+$/u.test(token) ? lower : token;
      addUnique(t.words, word);
      run.push(word);
    }
    flush();
  }
}

function addUnique(list: string[], v: string): void {
  if (list.length < 64 && !list.includes(v)) list.push(v);
}

/** Whether the prompt names anything; a Topic without phrases still carries its kind and codes. */
export const hasTopic = (t: Topic | undefined): t is Topic & { phrases: [string, ...string[]] } => t !== undefined && t.phrases.length > 0;

/** Title Case, keeping hyphenated parts and words already written in capitals: "noise-cancelling headphones" → "Noise-Cancelling Headphones". */
export const titleCase = (s: string): string => s.replace(/(^|[\s-])(\p{Ll})/gu, (_m, pre: string, ch: string) => pre + ch.toUpperCase());
