// A rule's condition in words for the rules table ("> baseline + 2σ"), one case per condition type.

import type { Condition } from '@sightline/api';

export function conditionText(c: Condition): string {
  const dir = 'direction' in c && c.direction === 'below' ? '<' : '>';
  switch (c.type) {
    case 'sigma':
      return `${dir} baseline ${dir === '>' ? '+' : '−'} ${c.k}σ`;
    case 'percent_of_average':
      return `${dir} ${c.percent}% of baseline`;
    case 'above':
      return `> ${c.value}`;
    case 'below':
      return `< ${c.value}`;
    case 'new_value':
      return 'new value';
    case 'score_drop':
      return `mean < baseline − ${c.minDropSd}σ (p ≤ ${c.maxPValue})`;
    default:
      // A condition this dashboard does not know yet: show its name.
      return (c as { type: string }).type;
  }
}
