// The dashboard's JavaScript as a browser downloads it: every .js file the build wrote (the
// entry and any lazily loaded chunk under assets/, and the classic scripts copied from public/,
// such as early-outline.js), raw and gzipped. The budget test and the benchmarks read it.

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const DIST = fileURLToPath(new URL('../dist/', import.meta.url));

/** All of the dashboard's JS, gzipped, may not exceed this (issue 19: a dashboard left open all day loads fast). */
export const JS_BUDGET_GZIP_BYTES = 250 * 1024;

export interface BundleSize {
  files: string[];
  raw: number;
  gzip: number;
}

export function jsBundleSize(dist = DIST): BundleSize {
  const js = (dir: string) => readdirSync(`${dist}${dir}`).filter((f) => f.endsWith('.js')).map((f) => `${dir}${f}`);
  const files = [...js('assets/'), ...js('')];
  let raw = 0;
  let gzip = 0;
  for (const f of files) {
    const buf = readFileSync(`${dist}${f}`);
    raw += buf.length;
    gzip += gzipSync(buf, { level: 9 }).length;
  }
  return { files, raw, gzip };
}
