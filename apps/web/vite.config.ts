import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The server's CSP forbids eval, so Ajv's code generation cannot run in the browser: the engine's
// JSON Schema checks use a small interpreting shim instead (see src/shims/ajv.ts).
const target = process.env.BRAID_API ?? "http://127.0.0.1:5116";

export default defineConfig({
  plugins: [react()],
  resolve: { alias: { ajv: fileURLToPath(new URL("./src/shims/ajv.ts", import.meta.url)) } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
    sourcemap: false,
    // The engine's entry also exports the runner (LangGraph, LangChain); the browser never runs
    // it, so those packages are declared side-effect free and drop out of the bundle.
    rollupOptions: { treeshake: { moduleSideEffects: (id: string) => !/[\\/](@langchain|langsmith)[\\/+]/.test(id) } },
  },
  server: { proxy: { "/trpc": target, "/api": target } },
});
