/** One line of a scenario's table. `met` is true/false against `target`, or null when there is no target or nothing was measured. */
export interface Row {
  metric: string;
  value: string;
  target?: string;
  met?: boolean | null;
  note?: string;
}

export interface ScenarioResult {
  rows: Row[];
  /** Raw numbers, kept in bench/results.json. */
  data: Record<string, unknown>;
  /** True when nothing was measured (a placeholder for a scenario that is not written yet). */
  placeholder?: boolean;
}

export interface ScenarioContext {
  quick: boolean;
  /** Progress notes on stderr; the table is printed by main. */
  log(message: string): void;
}

/** A benchmark scenario: one file in bench/scenarios/, listed in bench/scenarios/index.ts. */
export interface Scenario {
  /** The key in bench/results.json. */
  id: string;
  title: string;
  run(ctx: ScenarioContext): Promise<ScenarioResult>;
}

export const NOT_MEASURED = "not measured yet";
