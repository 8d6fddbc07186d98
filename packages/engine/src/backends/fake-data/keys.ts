/**
 * Field-name helpers: what a field's name says about its value; shared by generation and the defect checks.
 */
/** `createdAt`, `created_at`, `Created-At` → ["created", "at"]. */
export function splitWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}
export const norm = (key: string): string => key.toLowerCase().replace(/[^a-z0-9]/g, "");

export const MONEY = /price|cost|amount|total|fee|salary|income|wage|revenue|budget|spend|payment|charge/;
export const COUNTS = /quantity|qty|stock|inventory|(?<!dis|ac)count|units|onhand|capacity|seats/;
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
    w.some((x) => x === "date" || x === "timestamp" || x === "datetime" || x === "dob" || x === "birthday" || x === "since" || x === "until") ||
    ((last === "at" || last === "on") && w.length > 1)
  );
}
export const isNumericKey = (key: string): boolean =>
  isPositiveKey(key) ||
  /year|score|percent|discount|latitude|longitude|^lat$|^lng$|^lon$|level|rank|priority|temperature/.test(norm(key)) ||
  /^(num|number)$/.test(splitWords(key)[0] ?? "");
export const isBooleanKey = (key: string): boolean =>
  /^(is|has|can|should)[A-Z_]/.test(key) || /^(active|enabled|verified|available|instock|subscribed|confirmed|approved|visible|published)$/.test(norm(key));
