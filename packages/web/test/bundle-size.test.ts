// The JS budget: all of the built dashboard's JavaScript stays within 250 KB gzipped. Reads
// packages/web/dist, so it checks the build that the browser tests run against.

import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIST, JS_BUDGET_GZIP_BYTES, jsBundleSize } from '../bench/bundle-size.js';

describe('dashboard bundle', () => {
  it('keeps all JavaScript within 250 KB gzipped', () => {
    expect(existsSync(`${DIST}index.html`), 'build packages/web first (npm run build -w packages/web)').toBe(true);
    const size = jsBundleSize();
    expect(size.files.length).toBeGreaterThan(0);
    expect(size.gzip, `${size.files.join(', ')}: ${(size.gzip / 1024).toFixed(1)} KB gzip`).toBeLessThanOrEqual(JS_BUDGET_GZIP_BYTES);
  });
});
