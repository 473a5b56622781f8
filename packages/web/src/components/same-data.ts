// Whether a chart's new data holds the same numbers as what it last drew: a page re-renders every
// chart on each answer of any of its panels, and redrawing unchanged charts was most of the
// dashboard's rendering work while a page loaded.

/** Columns of numbers (uPlot's aligned data: x values, then one column a series). */
export type Columns = readonly ArrayLike<number | null | undefined>[];

export function sameData(a: Columns | null, b: Columns): boolean {
  if (a === null || a.length !== b.length) return false;
  for (let c = 0; c < a.length; c++) {
    const x = a[c]!;
    const y = b[c]!;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) {
      const u = x[i];
      const v = y[i];
      if (u !== v && !(typeof u === 'number' && typeof v === 'number' && Number.isNaN(u) && Number.isNaN(v))) return false;
    }
  }
  return true;
}
