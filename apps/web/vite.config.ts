import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const target = process.env.BRAID_API ?? "http://127.0.0.1:5116";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
    sourcemap: false,
  },
  server: { proxy: { "/trpc": target, "/api": target } },
});
