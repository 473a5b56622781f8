// A request's validation problems, bounded where they are made: every rejected event keeps its
// first problem (so each rejection is counted and has a reason), further problems are kept up to a
// total and the rest only counted, and every field and message is clipped. A body of a thousand
// events with megabyte-long attribute paths then costs kilobytes of problems, not a 16 MB reply.

import type { FieldProblem } from '../model/errors.js';

/** Problems kept per request beyond each rejected event's first: as many as a reply lists. */
export const MAX_KEPT_PROBLEMS = 1_000;

/** A problem's field and message longer than this many characters are clipped: an attribute path can be megabytes long. */
export const MAX_PROBLEM_CHARS = 256;

/** Characters kept from the start of a clipped text (where the path starts) and from its end (where the message says what is wrong). */
const CLIP_HEAD = 96;
const CLIP_TAIL = 128;

/**
 * `text` clipped in the middle when longer than MAX_PROBLEM_CHARS, saying how long it was: the
 * start names the field, the end says what is wrong with it ("…b.c.d: nesting depth 5 exceeds the
 * limit of 4"), which a clip keeping only the start cut off. A thousand problems then make a reply
 * of ~0.5 MB, not ~1 MB, serialised and written on the event loop.
 * @example clipProblemText(`attributes.${'k'.repeat(8_000)}.b: too deep`) // 'attributes.kkk…(8020 characters)…kkk.b: too deep'
 */
export const clipProblemText = (text: string): string =>
  text.length <= MAX_PROBLEM_CHARS ? text : `${text.slice(0, CLIP_HEAD)}…(${text.length} characters)…${text.slice(-CLIP_TAIL)}`;

export interface ProblemList {
  /** Adds one event's problems (all with its index); `clipped`: they were clipped already (by another list). */
  add(problems: readonly FieldProblem[], clipped?: boolean): void;
  /** Kept problems, clipped, in the order added. */
  readonly kept: FieldProblem[];
  /** Problems counted but not kept. */
  omitted(): number;
}

/**
 * @example
 * const problems = createProblemList();
 * problems.add(validation.problems);
 * reply({ rejected: problems.kept, omitted: problems.omitted() });
 */
export function createProblemList(maxKept = MAX_KEPT_PROBLEMS): ProblemList {
  const kept: FieldProblem[] = [];
  let omitted = 0;
  return {
    add(problems, clipped = false) {
      problems.forEach((p, i) => {
        if (i > 0 && kept.length >= maxKept) {
          omitted++;
          return;
        }
        kept.push(clipped ? p : { index: p.index, field: clipProblemText(p.field), error: clipProblemText(p.error) });
      });
    },
    kept,
    omitted: () => omitted,
  };
}
