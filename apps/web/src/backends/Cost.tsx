import type { Usage } from "@braid/core";
import { type CostSource, formatCost, formatCount, formatUsage, nodeCosts, runUsage } from "./format.js";

/**
 * Cost display for the run view: drop-in pieces for the run panel and the trace (their owners wire
 * them in). Figures come from the RunEvents' usage, priced by each backend's pricing.
 */

/** "$0.00042" with tokens in the tooltip and an "est." mark when the provider reported no usage. */
export function UsageCost({ usage }: { usage: Usage | undefined }) {
  if (!usage) return <span className="muted">—</span>;
  return (
    <span className="bp-cost" title={formatUsage(usage)}>
      {formatCost(usage.costUsd)}
      {usage.estimated && <abbr title="estimated: the server reported no token counts">est.</abbr>}
    </span>
  );
}

/** The run's total (final once finished, running sum before) as one line. */
export function RunCost({ run }: { run: CostSource }) {
  const u = runUsage(run);
  if (!u) return null;
  return <span className="bp-run-cost">{formatUsage(u)}</span>;
}

/** What each node cost, most expensive first. */
export function NodeCostTable({ run, caption = "Cost per node" }: { run: CostSource; caption?: string }) {
  const rows = nodeCosts(run);
  if (!rows.length) return null;
  return (
    <table className="bp-table bp-node-costs">
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Node</th>
          <th scope="col">Backend</th>
          <th scope="col" className="num">
            Tokens
          </th>
          <th scope="col" className="num">
            Cost
          </th>
          <th scope="col" className="num">
            Share
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.nodeId}>
            <th scope="row">{r.nodeId}</th>
            <td>{r.backend ?? "—"}</td>
            <td className="num">{formatCount(r.usage.inputTokens + r.usage.outputTokens)}</td>
            <td className="num">
              <UsageCost usage={r.usage} />
            </td>
            <td className="num">{`${Math.round(r.share * 100)} %`}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
