import { useEffect, useRef, useState } from "react";

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Text the user is typing for a structured value (JSON, numbers, lines). Valid text updates the
 * document at once; invalid text stays local with its error. When the document changes from
 * elsewhere (undo, another field), the text follows it.
 */
export function useDraft<T>(value: T, format: (v: T) => string, parse: (text: string) => Parsed<T>, commit: (v: T) => void) {
  const [text, setText] = useState(() => format(value));
  const [error, setError] = useState<string | undefined>();
  const last = useRef(value);
  useEffect(() => {
    if (Object.is(value, last.current)) return;
    last.current = value;
    setText((cur) => {
      const p = parse(cur);
      return p.ok && JSON.stringify(p.value) === JSON.stringify(value) ? cur : format(value);
    });
    setError(undefined);
  }, [value, format, parse]);
  const onText = (t: string) => {
    setText(t);
    const p = parse(t);
    if (p.ok) {
      setError(undefined);
      last.current = p.value;
      commit(p.value);
    } else {
      setError(p.error);
    }
  };
  return { text, error, onText };
}
