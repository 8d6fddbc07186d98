import { type KeyboardEvent, useLayoutEffect, useMemo, useRef, useState } from "react";
import { applyCompletion, completionContext, filterSuggestions, templateSuggestions, type CompletionContext } from "../../doc/autocomplete.js";
import { useEditor } from "../../state/store.js";
import { type FieldProps, FieldFrame, describedBy } from "./FieldFrame.js";

/** A prompt editor: typing `{{` offers paths from the example input and from upstream nodes. */
export function TemplateField({ inputId, spec, value, onChange, problems, nodeId }: FieldProps) {
  const doc = useEditor((s) => s.doc);
  const registry = useEditor((s) => s.registry);
  const text = typeof value === "string" ? value : "";
  const area = useRef<HTMLTextAreaElement>(null);
  const [ctx, setCtx] = useState<CompletionContext | undefined>();
  const [active, setActive] = useState(0);
  const pendingCaret = useRef<number | null>(null);
  const all = useMemo(() => (ctx ? templateSuggestions(doc, registry, nodeId) : []), [ctx, doc, registry, nodeId]);
  const options = useMemo(() => (ctx ? filterSuggestions(all, ctx.query) : []), [all, ctx]);
  const open = !!ctx && options.length > 0;
  const listId = `${inputId}-suggestions`;

  useLayoutEffect(() => {
    if (pendingCaret.current === null || !area.current) return;
    area.current.setSelectionRange(pendingCaret.current, pendingCaret.current);
    pendingCaret.current = null;
  });

  const refresh = (t: string, caret: number) => {
    const c = completionContext(t, caret);
    setCtx(c);
    if (c?.query !== ctx?.query) setActive(0);
  };
  const accept = (path: string) => {
    const el = area.current;
    if (!el || !ctx) return;
    const r = applyCompletion(el.value, ctx, el.selectionStart, path);
    pendingCaret.current = r.caret;
    onChange(r.text);
    setCtx(undefined);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (!open) return;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      setActive((a) => (a + (e.key === "ArrowDown" ? 1 : options.length - 1)) % options.length);
    } else if (e.key === "Enter" || e.key === "Tab") {
      const pick = options[active];
      if (pick) {
        e.preventDefault();
        accept(pick.path);
      }
    } else if (e.key === "Escape") {
      e.preventDefault();
      setCtx(undefined);
    }
  };

  return (
    <FieldFrame inputId={inputId} spec={spec} problems={problems}>
      <div className="template-field">
        <textarea
          ref={area}
          id={inputId}
          rows={Math.min(10, Math.max(3, Math.ceil(text.length / 38) + text.split("\n").length - 1))}
          value={text}
          role="combobox"
          aria-autocomplete="list"
          aria-expanded={open}
          aria-controls={listId}
          aria-activedescendant={open ? `${listId}-${active}` : undefined}
          aria-describedby={describedBy(inputId, spec)}
          aria-required={spec.required}
          aria-invalid={problems.length > 0}
          spellCheck={false}
          placeholder="Type {{ to insert a path from the input or an upstream node"
          onChange={(e) => {
            onChange(e.target.value === "" && !spec.required ? undefined : e.target.value);
            refresh(e.target.value, e.target.selectionStart);
          }}
          onKeyDown={onKeyDown}
          onKeyUp={(e) => {
            if (e.key === "ArrowLeft" || e.key === "ArrowRight" || e.key === "Home" || e.key === "End")
              refresh(e.currentTarget.value, e.currentTarget.selectionStart);
          }}
          onClick={(e) => refresh(e.currentTarget.value, e.currentTarget.selectionStart)}
          onBlur={() => setCtx(undefined)}
        />
        <div id={listId} role="listbox" aria-label={`Insert a path into ${spec.label}`} className="suggestions" hidden={!open}>
          {open &&
            options.map((o, i) => (
              <div
                key={o.path}
                tabIndex={-1}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === active}
                className={i === active ? "active" : ""}
                onMouseDown={(e) => {
                  e.preventDefault();
                  accept(o.path);
                }}
              >
                <code>{o.path}</code> <span className="suggestion-detail">{o.detail}</span>
              </div>
            ))}
        </div>
      </div>
    </FieldFrame>
  );
}
