export { type MermaidExportOptions, toMermaid } from "./export.js";
export { fromMermaid, type MermaidImportResult } from "./import.js";
export { overlayFromEvents, type RunOverlay } from "./overlay.js";
export { escapeLabel } from "./escape.js";
