// Terminal output for the client commands: colour only on a TTY and never under NO_COLOR
// (https://no-color.org; FORCE_COLOR forces it), aligned columns, and a progress bar.

export type Style = 'dim' | 'bold' | 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan';

const SGR: Record<Style, [number, number]> = {
  dim: [2, 22],
  bold: [1, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
};

export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export type Paint = (style: Style, text: string) => string;

export function painter(color: boolean): Paint {
  return color ? (style, text) => `\u001b[${SGR[style][0]}m${text}\u001b[${SGR[style][1]}m` : (_style, text) => text;
}

/** Cuts to `width` characters (with …) and pads to it, so columns line up. */
export function cell(text: string, width: number): string {
  const t = text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
  return t.padEnd(width);
}

/** Rows of strings as a left-aligned table with a header, columns as wide as their widest cell (capped). */
export function table(header: string[], rows: string[][], paint: Paint, maxWidth = 48): string {
  const widths = header.map((h, i) => Math.min(maxWidth, Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length))));
  const line = (cells: string[]) => cells.map((c, i) => cell(c, widths[i]!)).join('  ').trimEnd();
  return [paint('bold', line(header)), ...rows.map(line)].join('\n');
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

export interface ProgressState {
  rows: number;
  /** Fraction done, 0..1 (e.g. bytes read / file size). */
  fraction: number;
  elapsedMs: number;
}

/** One progress line: bar, percent, rows, rows/s and ETA (extrapolated from the fraction done). */
export function progressLine(p: ProgressState, width = 24): string {
  const fraction = Math.min(1, Math.max(0, p.fraction));
  const filled = Math.round(fraction * width);
  const seconds = p.elapsedMs / 1000;
  const rate = seconds > 0 ? p.rows / seconds : 0;
  const eta = fraction > 0 && fraction < 1 ? (seconds * (1 - fraction)) / fraction : fraction >= 1 ? 0 : NaN;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%  ${p.rows.toLocaleString('en-US')} rows  ${Math.round(rate).toLocaleString('en-US')} rows/s  ETA ${formatDuration(eta)}`;
}

/** A progress bar redrawn in place on a TTY at most every `everyMs`; silent elsewhere. */
export function createProgress(stream: NodeJS.WriteStream, enabled: boolean, everyMs = 100): { update(p: ProgressState): void; done(): void } {
  let last = 0;
  let drawn = false;
  return {
    update(p) {
      if (!enabled) return;
      const now = Date.now();
      if (now - last < everyMs && p.fraction < 1) return;
      last = now;
      drawn = true;
      stream.write(`\r${progressLine(p)}\u001b[K`);
    },
    done() {
      if (enabled && drawn) stream.write('\r\u001b[K');
    },
  };
}
