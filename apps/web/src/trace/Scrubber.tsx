import { useShallow } from "zustand/react/shallow";
import { describeStep, nextMeaningful, prevMeaningful } from "./session.js";
import { pause, play, runEnded, setStep, useTrace } from "./store.js";

/** Replay controls over the run's events: start, previous, play/pause, next, end, and a slider over every step. */
export function Scrubber() {
  const { items, step, playing, follow, live } = useTrace(
    useShallow((s) => ({ items: s.items, step: s.step, playing: s.playing, follow: s.follow, live: !runEnded(s) })),
  );
  const total = items.length;
  if (total === 0) return null;
  return (
    <fieldset className="scrubber" aria-label="Replay">
      <button type="button" className="small" onClick={() => setStep(0)} disabled={step === 0} aria-label="Go to the start">
        |◀
      </button>
      <button type="button" className="small" onClick={() => setStep(prevMeaningful(items, step))} disabled={step === 0} aria-label="Previous event">
        ◀
      </button>
      {playing ? (
        <button type="button" className="small" onClick={pause} aria-label="Pause replay">
          ❚❚ Pause
        </button>
      ) : (
        <button type="button" className="small" onClick={() => play()} aria-label="Play replay">
          ▶ Play
        </button>
      )}
      <button type="button" className="small" onClick={() => setStep(nextMeaningful(items, step))} disabled={step >= total} aria-label="Next event">
        ▶
      </button>
      <button
        type="button"
        className="small"
        onClick={() => setStep(total)}
        disabled={step >= total}
        aria-label={live ? "Follow the live run" : "Go to the end"}
      >
        {live ? "● Live" : "▶|"}
      </button>
      <input
        type="range"
        min={0}
        max={total}
        value={step}
        onChange={(e) => {
          pause();
          setStep(Number(e.target.value));
        }}
        aria-label="Replay step"
        aria-valuetext={`Step ${step} of ${total}: ${describeStep(items, step)}`}
      />
      <output className="scrub-where" aria-label="Replay position">
        {follow && live ? "live · " : ""}step {step}/{total} · {describeStep(items, step)}
      </output>
    </fieldset>
  );
}
