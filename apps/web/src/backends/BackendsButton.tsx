import { navigate, useRoute } from "../route.js";

/**
 * The toolbar's way to the Backends page and back. Where the toolbar is short of room the label
 * folds to its icon (the accessible name stays "Backends").
 */
export function BackendsButton() {
  const open = useRoute().page === "backends";
  return (
    <button
      type="button"
      aria-pressed={open}
      className={open ? "bp-toggle on" : "bp-toggle"}
      onClick={() => navigate(open ? { page: "designer" } : { page: "backends", tab: "list" })}
      title="Backends: configure them, test connections, watch calls, latency and cost"
    >
      <span aria-hidden="true" className="bp-toggle-icon">
        ⚙
      </span>
      <span className="bp-toggle-text">Backends</span>
    </button>
  );
}
