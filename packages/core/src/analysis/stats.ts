/**
 * Nearest-rank percentile (p in 0..1): the smallest value with at least a fraction p of the
 * sample at or below it (p50 of [200, 300] is 200; p95 of 1..100 is 95). The sample is an unsorted
 * list of values, or a histogram (value → how many times it occurred) for summaries that must stay
 * small however many values go in. NaN for an empty sample.
 */
export function percentile(sample: readonly number[] | ReadonlyMap<number, number>, p: number): number {
  const entries: Array<[number, number]> = Array.isArray(sample) ? sample.map((v) => [v, 1]) : [...(sample as ReadonlyMap<number, number>)];
  entries.sort((a, b) => a[0] - b[0]);
  const n = entries.reduce((t, [, count]) => t + count, 0);
  if (n === 0) return Number.NaN;
  const rank = Math.min(n, Math.max(1, Math.ceil(p * n)));
  let seen = 0;
  for (const [value, count] of entries) {
    seen += count;
    if (seen >= rank) return value;
  }
  return entries[entries.length - 1]?.[0] ?? Number.NaN;
}
