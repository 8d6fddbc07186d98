/** File names for downloads: the pipeline's name, made safe for every file system. */

const MAX_STEM = 80;

/** `My pipeline: v2 / draft` → `My-pipeline-v2-draft`; an empty or all-symbol name is `pipeline`. */
export function fileStem(name: string): string {
  const stem = name
    .normalize("NFKC")
    .replace(/[^\p{L}\p{N}_-]+/gu, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "");
  const cut = Array.from(stem).slice(0, MAX_STEM).join("").replace(/-+$/, "");
  // Names Windows reserves for devices cannot be file names, even with an extension.
  if (/^(con|prn|aux|nul|com\d|lpt\d)$/i.test(cut)) return `${cut}-pipeline`;
  return cut || "pipeline";
}

export type ExportExt = "mmd" | "svg" | "png" | "json";

/** `Smart routing` + `mmd` → `Smart-routing.mmd`; a run export gets `-run-<id>` so it never overwrites the plain diagram. */
export function downloadName(pipelineName: string, ext: ExportExt, runId?: string): string {
  const run = runId ? `-run-${fileStem(runId).slice(0, 24)}` : "";
  return `${fileStem(pipelineName)}${run}.${ext}`;
}

export const MIME: Record<ExportExt, string> = {
  mmd: "text/vnd.mermaid;charset=utf-8",
  svg: "image/svg+xml;charset=utf-8",
  png: "image/png",
  json: "application/json;charset=utf-8",
};
