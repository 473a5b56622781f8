import { describe, expect, it } from 'vitest';
import { changeText } from './kpi';

describe('a KPI card says how it compares', () => {
  it('gives the change, or plainly why there is none', () => {
    expect(changeText(12, 0.125, 10.7)).toBe('+13% vs previous');
    expect(changeText(12, -0.04, 12.5)).toBe('−4.0% vs previous');
    expect(changeText(12, null, undefined)).toBe('no previous period');
    expect(changeText(3, null, 0)).toBe('none in the previous period');
    expect(changeText(0, null, 0)).toBe('none now or in the previous period');
    expect(changeText(null, null, 0.2)).toBe('no value to compare');
  });
});
