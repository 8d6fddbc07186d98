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
  },
  server: { proxy: { "/trpc": target, "/api": target } },
});
