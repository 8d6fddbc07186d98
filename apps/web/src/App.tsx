import { ReactFlowProvider } from "@xyflow/react";
import { Dialogs } from "./dialogs/Dialogs.js";
import { Canvas } from "./components/Canvas.js";
import { OfflineBanner } from "./components/Chrome.js";
import { Palette } from "./components/Palette.js";
import { Shortcuts } from "./components/Shortcuts.js";
import { Toolbar } from "./components/Toolbar.js";
import { Inspector } from "./inspector/Inspector.js";
import { BottomPanel } from "./panels/BottomPanel.js";
import { BackendsPage } from "./backends/BackendsPage.js";
import { BatchPage } from "./batch/BatchPage.js";
import { DeploymentsPage } from "./deployments/DeploymentsPage.js";
import { ExperimentsPage } from "./experiments/ExperimentsPage.js";
import { ShareHost } from "./share/ShareHost.js";
import { TraceLayer } from "./trace/TraceLayer.js";

export function App() {
  return (
    <ReactFlowProvider>
      <div className="app">
        <Toolbar />
        <OfflineBanner />
        <BackendsPage />
        <BatchPage />
        <ExperimentsPage />
        <DeploymentsPage />
        <Palette />
        <main className="center" aria-label="Canvas">
          <Canvas />
        </main>
        <Inspector />
        <TraceLayer />
        <BottomPanel />
      </div>
      <Dialogs />
      <ShareHost />
      <Shortcuts />
    </ReactFlowProvider>
  );
}
