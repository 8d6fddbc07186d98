/**
 * A kind's icon (from the registry). Some symbols have no glyph in a machine's fonts and would
 * show as an empty box; then the first letter of the kind's title stands in.
 */
const seen = new Map<string, boolean>();

function draw(ctx: CanvasRenderingContext2D, text: string): string {
  ctx.clearRect(0, 0, 28, 28);
  ctx.fillText(text, 2, 22);
  return Array.from(ctx.getImageData(0, 0, 28, 28).data).join(",");
}

export function glyphRenders(icon: string): boolean {
  const known = seen.get(icon);
  if (known !== undefined) return known;
  let ok = true;
  try {
    const canvas = document.createElement("canvas");
    canvas.width = 28;
    canvas.height = 28;
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    if (ctx) {
      ctx.font = "20px system-ui, sans-serif";
      // A private-use code point has no glyph anywhere: if the icon draws the same, it is missing too.
      ok = draw(ctx, icon) !== draw(ctx, "\u{10FFFD}");
    }
  } catch {
    ok = true;
  }
  seen.set(icon, ok);
  return ok;
}

export function KindIcon({ icon, title, className = "bn-icon" }: { icon: string; title: string; className?: string }) {
  return (
    <span className={className} aria-hidden="true">
      {glyphRenders(icon) ? icon : title.charAt(0)}
    </span>
  );
}
