export const money = (usd: number): string => (usd === 0 ? "$0" : usd < 0.01 ? `$${usd.toFixed(5)}` : `$${usd.toFixed(3)}`);

export const ms = (n: number | undefined): string => (n === undefined ? "—" : n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(n < 10_000 ? 2 : 1)} s`);

export const tokens = (n: number): string => (n >= 10_000 ? `${(n / 1000).toFixed(1)}k tok` : `${n} tok`);

/** Run ids are `run_<time>_<random>`: the random part tells runs apart at a glance. */
export function shortId(id: string): string {
  const tail = id.split("_").pop() ?? id;
  return tail.length >= 4 && tail !== id ? tail : id.length > 12 ? id.slice(-8) : id;
}

export function clock(at: number | undefined): string {
  if (at === undefined) return "—";
  const d = new Date(at);
  const today = new Date();
  const time = d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  return d.toDateString() === today.toDateString() ? time : `${d.toLocaleDateString()} ${time}`;
}

/** JSON on one line, cut to `max` characters. */
export function brief(v: unknown, max = 80): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? "";
  } catch {
    s = String(v);
  }
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

export const pretty = (v: unknown): string => {
  if (v === undefined) return "";
  if (typeof v === "string") return v;
  try {
    return JSON.stringify(v, null, 2);
  } catch {
    return String(v);
  }
};
