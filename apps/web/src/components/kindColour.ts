import type { CSSProperties } from "react";

/** The `--kc` custom property the stripes are drawn with, from the kind's own colour. */
export function kindColour(colour: string | undefined): CSSProperties | undefined {
  // Only a plain colour value reaches the style attribute (a kind from a plugin could hold anything).
  return colour && /^#[0-9a-fA-F]{3,8}$|^[a-z]+$/.test(colour) ? ({ "--kc": colour } as CSSProperties) : undefined;
}
