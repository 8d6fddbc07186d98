import type { ReactNode } from "react";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { Bin } from "./format.js";

/**
 * One bar chart with an accessible name and the same numbers as a table beneath it (the chart is
 * a picture to a screen reader; the table is what it, and e2e, read).
 */
export function BarFigure({ title, data, unit, fmt = String }: { title: string; data: Bin[]; unit: string; fmt?: (v: number) => string }) {
  const summary = `${title}: ${data.map((d) => `${d.label} ${fmt(d.count)}`).join(", ")}`;
  return (
    <figure className="ex-chart">
      <figcaption>{title}</figcaption>
      <div role="img" aria-label={summary} className="ex-chart-plot">
        {data.length === 0 ? (
          <p className="hint">No data.</p>
        ) : (
          <ResponsiveContainer width="100%" height={160}>
            <BarChart data={data} margin={{ top: 6, right: 8, bottom: 4, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis
                dataKey="label"
                tick={{ fontSize: 10 }}
                interval={0}
                angle={data.length > 5 ? -25 : 0}
                textAnchor={data.length > 5 ? "end" : "middle"}
                height={data.length > 5 ? 44 : 24}
              />
              <YAxis tick={{ fontSize: 10 }} width={40} allowDecimals={unit !== "records"} tickFormatter={(v: number) => fmt(v)} />
              <Tooltip formatter={(v) => fmt(Number(v))} />
              <Bar dataKey="count" name={unit} fill="var(--accent, #4a6cf7)" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        )}
      </div>
      <details className="ex-chart-data">
        <summary>Data: {title}</summary>
        <Fallback rows={data.map((d) => [d.label, fmt(d.count)])} head={["", unit]} label={`${title} data`} />
      </details>
    </figure>
  );
}

function Fallback({ rows, head, label }: { rows: ReactNode[][]; head: string[]; label: string }) {
  return (
    <table className="ex-table" aria-label={label}>
      <thead>
        <tr>
          {head.map((h) => (
            <th key={h}>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: fixed rows of one render
          <tr key={i}>
            {r.map((c, j) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: fixed columns
              <td key={j}>{c}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
