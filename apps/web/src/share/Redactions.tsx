import type { Redaction } from "@braid/core";
import { describeRedactions } from "./link.js";

/** Says which secret-looking values were left out of every export, so nobody wonders where they went. */
export function Redactions({ redactions }: { redactions: readonly Redaction[] }) {
  if (redactions.length === 0) return null;
  const lines = describeRedactions(redactions);
  return (
    <div className="share-redactions" role="note" aria-label="Redacted secrets">
      <p>
        <strong>
          {redactions.length} secret-looking value{redactions.length === 1 ? " was" : "s were"} replaced with “[redacted]”
        </strong>{" "}
        in every export and in the share link. The pipeline in the editor keeps them.
      </p>
      <ul>
        {lines.map((l) => (
          <li key={l}>{l}</li>
        ))}
      </ul>
    </div>
  );
}
