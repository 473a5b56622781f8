import { describe, expect, it } from 'vitest';
import { cumulativeWeights, hex32, mixSeed, Rng } from './random.js';

function moments(xs: number[]): { mean: number; variance: number } {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
  return { mean, variance };
}

const draw = (n: number, f: () => number): number[] => Array.from({ length: n }, f);

describe('Rng', () => {
  it('gives the same sequence for the same seed, and a different one for another seed', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const seqA = draw(1000, () => a.nextUint32());
    expect(draw(1000, () => b.nextUint32())).toEqual(seqA);
    expect(draw(1000, () => c.nextUint32())).not.toEqual(seqA);
    expect(seqA.slice(0, 4)).toMatchInlineSnapshot(`
      [
        660444221,
        3652823732,
        77672526,
        910233633,
      ]
    `);
  });

  it('uniform: mean 1/2, variance 1/12, within [0, 1)', () => {
    const rng = new Rng(1);
    const xs = draw(200_000, () => rng.next());
    const { mean, variance } = moments(xs);
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.002);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('normal: mean and standard deviation', () => {
    const rng = new Rng(2);
    const { mean, variance } = moments(draw(200_000, () => rng.normal(10, 3)));
    expect(Math.abs(mean - 10)).toBeLessThan(0.05);
    expect(Math.abs(Math.sqrt(variance) - 3)).toBeLessThan(0.05);
  });

  it('lognormal: median e^mu, mean e^(mu + sigma²/2)', () => {
    const rng = new Rng(3);
    const xs = draw(200_000, () => rng.lognormal(Math.log(500), 0.4)).sort((a, b) => a - b);
    expect(Math.abs(xs[100_000]! / 500 - 1)).toBeLessThan(0.02);
    expect(Math.abs(moments(xs).mean / (500 * Math.exp(0.08)) - 1)).toBeLessThan(0.02);
  });

  it.each([0.5, 4, 29, 30, 40, 250])('poisson(%d): mean and variance equal lambda', (lambda) => {
    const rng = new Rng(4);
    const xs = draw(100_000, () => rng.poisson(lambda));
    const { mean, variance } = moments(xs);
    expect(Math.abs(mean / lambda - 1)).toBeLessThan(0.02);
    expect(Math.abs(variance / lambda - 1)).toBeLessThan(0.04);
    expect(xs.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
  });

  it('weighted choice follows the weights', () => {
    const rng = new Rng(5);
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 100_000; i++) counts[rng.weightedChoice(['a', 'b', 'c'] as const, [1, 3, 6])]++;
    expect(Math.abs(counts.a / 100_000 - 0.1)).toBeLessThan(0.005);
    expect(Math.abs(counts.b / 100_000 - 0.3)).toBeLessThan(0.005);
    expect(Math.abs(counts.c / 100_000 - 0.6)).toBeLessThan(0.005);
    expect(cumulativeWeights([1, 3, 6])).toEqual([1, 4, 10]);
  });

  it('ids are lowercase hex of the right length', () => {
    const rng = new Rng(6);
    expect(rng.hex128()).toMatch(/^[0-9a-f]{32}$/);
    expect(rng.hex64()).toMatch(/^[0-9a-f]{16}$/);
    expect(hex32(0xdeadbeef)).toBe('deadbeef');
    expect(hex32(1)).toBe('00000001');
  });

  it('mixSeed depends on every part and on their order', () => {
    expect(mixSeed(1, 2, 3)).toBe(mixSeed(1, 2, 3));
    expect(mixSeed(1, 2, 3)).not.toBe(mixSeed(1, 3, 2));
    expect(mixSeed(1, 2)).not.toBe(mixSeed(1, 2, 0));
  });
});
