import "./setup.js";
import "@xyflow/react/dist/style.css";
import "./styles/base.css";
import "./styles/palette.css";
import "./styles/canvas.css";
import "./styles/inspector.css";
import "./styles/panels.css";
import "./styles/dialogs.css";
import "./styles/share.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.js";
import { startLinting } from "./state/lint.js";
import { restoreWorkingCopy, startPersisting } from "./state/persist.js";
import { startServerWatch } from "./state/server.js";

restoreWorkingCopy();
startLinting();
startPersisting();
startServerWatch();

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
