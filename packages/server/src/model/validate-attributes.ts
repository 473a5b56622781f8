// Checks an event's free-form attributes: JSON values only, bounded count, depth and size,
// and no keys that could reach an object prototype.

import type { FieldProblem } from './errors.js';
import { describe } from './event-fields.js';
import type { IngestLimits } from './limits.js';

/** Keys that would touch a prototype if ever copied with plain assignment. */
export function isForbiddenKey(key: string): boolean {
  return key === '__proto__' || key === 'constructor' || key === 'prototype';
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * An upper bound of the JSON length (UTF-16 units) of what the walk has seen since buildAttributes
 * reset it: when three times it (UTF-8 bytes per unit) is within the byte limit, the attributes
 * need not be serialised to be measured. The walk is synchronous, so one variable serves.
 */
let jsonBound = 0;
/** Longest JSON text of a finite number, e.g. -1.2345678901234567e-308. */
const NUMBER_JSON_MAX = 25;
/** A string in JSON: quotes, and every UTF-16 unit escaped as \uXXXX at worst. */
const stringBound = (s: string): number => 2 + 6 * s.length;

/** A value's path for messages (built only when one is reported or nesting continues). */
const pathOf = (parent: string, key: string | number): string => (parent === '' ? String(key) : `${parent}.${key}`);

/**
 * Walks one attribute value, at `key` of `parent` (a path; '' for a top-level field). `depth` is the
 * number of keys from `attributes` to `value` (a flat attribute is depth 1). Returns false once
 * depth is exceeded, to stop the walk.
 */
function checkValue(value: unknown, parent: string, key: string | number, depth: number, limits: IngestLimits, index: number, out: FieldProblem[]): boolean {
  switch (typeof value) {
    case 'string':
      jsonBound += stringBound(value);
      return true;
    case 'boolean':
      jsonBound += 5;
      return true;
    case 'undefined': // dropped when serialised, as JSON does (null inside an array)
      jsonBound += 4;
      return true;
    case 'number':
      jsonBound += NUMBER_JSON_MAX;
      if (!Number.isFinite(value)) {
        const path = pathOf(parent, key);
        out.push({ index, field: path, error: `${path}: must be a finite number, got ${value}` });
      }
      return true;
    case 'object':
      break;
    default: {
      const path = pathOf(parent, key);
      out.push({ index, field: path, error: `${path}: must be a JSON value, got ${describe(value)}` });
      return true;
    }
  }
  if (value === null) {
    jsonBound += 4;
    return true;
  }
  const path = pathOf(parent, key);
  const childDepth = depth + 1;
  if (Array.isArray(value)) {
    jsonBound += 2 + value.length;
    for (let i = 0; i < value.length; i++) {
      if (childDepth > limits.maxAttributeDepth) return depthExceeded(`${path}.${i}`, childDepth, limits, index, out);
      if (!checkValue(value[i], path, i, childDepth, limits, index, out)) return false;
    }
    return true;
  }
  if (!isPlainObject(value)) {
    out.push({ index, field: path, error: `${path}: must be a JSON value, got ${describe(value)} that is not a plain object` });
    return true;
  }
  jsonBound += 2;
  const record = value as Record<string, unknown>;
  for (const k in record) {
    jsonBound += stringBound(k) + 2;
    if (isForbiddenKey(k)) {
      out.push({ index, field: `${path}.${k}`, error: `${path}.${k}: key is not allowed` });
      continue;
    }
    if (childDepth > limits.maxAttributeDepth) return depthExceeded(`${path}.${k}`, childDepth, limits, index, out);
    if (!checkValue(record[k], path, k, childDepth, limits, index, out)) return false;
  }
  return true;
}

function depthExceeded(path: string, depth: number, limits: IngestLimits, index: number, out: FieldProblem[]): false {
  out.push({ index, field: path, error: `${path}: nesting depth ${depth} exceeds the limit of ${limits.maxAttributeDepth}` });
  return false;
}

/**
 * Builds the span's attributes from the event's `attributes` and its unknown top-level fields
 * (explicit attributes win on a name clash), checking every limit. Problems are appended to
 * `out`; the returned object is only meaningful when none were added.
 */
export function buildAttributes(
  attributes: unknown,
  extraKeys: string[] | null,
  event: Record<string, unknown>,
  limits: IngestLimits,
  index: number,
  out: FieldProblem[],
): Record<string, unknown> {
  const before = out.length;
  let result: Record<string, unknown> = {};
  let count = 0;
  jsonBound = 2;
  if (attributes !== undefined && attributes !== null) {
    if (typeof attributes !== 'object' || Array.isArray(attributes) || !isPlainObject(attributes)) {
      out.push({ index, field: 'attributes', error: `attributes: must be an object, got ${describe(attributes)}` });
    } else {
      const record = attributes as Record<string, unknown>;
      for (const key in record) {
        count++;
        jsonBound += stringBound(key) + 2;
        if (isForbiddenKey(key)) out.push({ index, field: `attributes.${key}`, error: `attributes.${key}: key is not allowed` });
        else checkValue(record[key], 'attributes', key, 1, limits, index, out);
      }
      result = record;
    }
  }
  let moved = 0;
  if (extraKeys !== null) {
    // Copy: the caller's attributes object is never modified.
    result = { ...result };
    for (const key of extraKeys) {
      if (event[key] === undefined || Object.hasOwn(result, key)) continue;
      count++;
      moved++;
      jsonBound += stringBound(key) + 2;
      checkValue(event[key], '', key, 1, limits, index, out);
      result[key] = event[key];
    }
  }
  if (count > limits.maxAttributes) {
    const including = moved > 0 ? ` (including ${moved} unknown top-level field${moved === 1 ? '' : 's'})` : '';
    out.push({ index, field: 'attributes', error: `attributes: ${count} keys${including} exceeds the limit of ${limits.maxAttributes}` });
  }
  // The bound is in UTF-16 units; each is at most 3 UTF-8 bytes.
  if (out.length === before && count > 0 && jsonBound * 3 > limits.maxAttributesBytes) checkSize(result, limits, index, out);
  return result;
}

function checkSize(attributes: Record<string, unknown>, limits: IngestLimits, index: number, out: FieldProblem[]): void {
  const json = JSON.stringify(attributes);
  if (json.length * 3 <= limits.maxAttributesBytes) return;
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > limits.maxAttributesBytes) {
    out.push({ index, field: 'attributes', error: `attributes: ${bytes} bytes as JSON exceeds the limit of ${limits.maxAttributesBytes}` });
  }
}
