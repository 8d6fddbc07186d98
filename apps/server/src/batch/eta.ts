/**
 * Time left in a batch, from the rate of recent completions. The rate since the start counts the
 * slow first records (compile, connections, warm-up) for the whole batch and overstates what is
 * left; the recent rate follows the batch as it is now. No estimate until a few records are done.
 */
export class EtaEstimator {
  private readonly times: number[] = [];

  constructor(
    /** Completions to see before estimating at all. */
    private readonly minDone = 3,
    /** How many of the latest completions the rate is taken over. */
    private readonly window = 32,
  ) {}

  /** A record finished at `at` (ms). */
  done(at: number): void {
    this.times.push(at);
    if (this.times.length > this.window) this.times.shift();
  }

  /** Milliseconds until `left` more records finish, or undefined while there is too little to go on. */
  etaMs(left: number, now: number): number | undefined {
    if (left === 0) return 0;
    const n = this.times.length;
    const first = this.times[0];
    if (n < this.minDone || first === undefined) return undefined;
    // n completions over the span from the oldest to now: n - 1 intervals, plus the time since the last.
    const span = now - first;
    if (span <= 0) return undefined;
    return (left * span) / (n - 1 || 1);
  }
}
