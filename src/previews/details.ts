// The reverse side of a preview: label-over-value entries in a list, as Wallet shows a pass's back (and Google
// Wallet a pass's details), cut with "… n more" when they do not fit.
import { cardDocument, round, text, wrap } from "./svg.js";

const WIDTH = 320;
const HEIGHT = 440;

export function detailsCard(items: Array<{ label: string; value: string }>): string {
  const parts: string[] = [];
  let y = 28;
  for (const [i, item] of items.entries()) {
    const lines = wrap(item.value, 13, WIDTH - 32, 8);
    const needed = 18 + lines.length * 17 + 14;
    if (y + needed > HEIGHT - 12) {
      parts.push(text(16, y + 8, `… ${items.length - i} more`, { size: 12, fill: "#6e6e73" }));
      break;
    }
    parts.push(text(16, y, item.label, { size: 10, fill: "#6e6e73", weight: 600 }));
    for (const [n, line] of lines.entries()) parts.push(text(16, y + 18 + n * 17, line, { size: 13, fill: "#000000" }));
    y += needed;
    parts.push(`<rect x="16" y="${round(y - 8)}" width="${WIDTH - 32}" height="0.5" fill="#c6c6c8"/>`);
  }
  if (items.length === 0)
    parts.push(text(WIDTH / 2, 60, "Nothing on this side", { size: 13, fill: "#6e6e73", anchor: "middle" }));
  return cardDocument({ width: WIDTH, height: HEIGHT, radius: 12, background: "#f2f2f7" }, parts.join(""), false);
}
