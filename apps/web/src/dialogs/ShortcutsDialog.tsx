import { SHORTCUTS } from "../components/Shortcuts.js";
import { Modal } from "./Modal.js";

/** The `?` overlay: every keyboard shortcut, from the table the key handler uses. */
export function ShortcutsDialog() {
  return (
    <Modal title="Keyboard shortcuts">
      <table className="shortcuts">
        <caption className="sr-only">Keyboard shortcuts</caption>
        <thead>
          <tr>
            <th>Keys</th>
            <th>Does</th>
          </tr>
        </thead>
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.keys}>
              <td>
                <kbd>{s.keys}</kbd>
              </td>
              <td>{s.what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint">Single keys do nothing while a text field has the focus.</p>
    </Modal>
  );
}
