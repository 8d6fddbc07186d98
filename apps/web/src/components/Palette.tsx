import type { DragEvent } from "react";
import { addNodeSomewhere } from "../state/canvas.js";
import { useEditor } from "../state/store.js";
import { KIND_MIME } from "./Canvas.js";
import { KindIcon } from "./KindIcon.js";
import { kindColour } from "./kindColour.js";

/** Every registered kind: drag one onto the canvas, or press the button (keyboard) to add it in view. */
export function Palette() {
  const registry = useEditor((s) => s.registry);
  const onDragStart = (e: DragEvent, kind: string) => {
    e.dataTransfer.setData(KIND_MIME, kind);
    e.dataTransfer.effectAllowed = "copy";
  };
  return (
    <nav className="palette" aria-label="Node palette">
      <h2 className="panel-title">Add nodes</h2>
      <p className="hint">Drag onto the canvas, or press Enter to add in view.</p>
      <ul>
        {registry.list().map((k) => (
          <li key={k.kind}>
            <button
              type="button"
              className="palette-item"
              style={kindColour(k.diagram.colour)}
              draggable
              onDragStart={(e) => onDragStart(e, k.kind)}
              onClick={() => addNodeSomewhere(k.kind)}
              aria-label={`Add ${k.title} node`}
              title={k.description}
            >
              <KindIcon icon={k.diagram.icon} title={k.title} className="palette-icon" />
              <span className="palette-text">
                <span className="palette-title">{k.title}</span>
                <span className="palette-desc">{k.description}</span>
              </span>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
