// A part of a whole as a percentage that never rounds a part to all or none: the doctor's
// sentences, `sightline doctor` and the dashboard's Doctor page print shares this way.

/**
 * `part` of `whole` as a percentage: whole numbers from 10 %, one decimal below (and above 99 %),
 * never "0 %" for a part above zero nor "100 %" for less than all.
 * @example formatShare(42, 100) // → '42 %'; formatShare(1, 3000) // → '0.1 %'
 */
export function formatShare(part: number, whole: number): string {
  if (whole <= 0 || part <= 0) return '0 %';
  if (part >= whole) return '100 %';
  const p = (part / whole) * 100;
  if (p < 0.1) return '0.1 %';
  if (p > 99) return `${Math.min(99.9, Math.floor(p * 10) / 10)} %`;
  return p < 10 ? `${Math.round(p * 10) / 10} %` : `${Math.round(p)} %`;
}
