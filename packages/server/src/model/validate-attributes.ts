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
 * Walks one attribute value. `depth` is the number of keys from `attributes` to `value`
 * (a flat attribute is depth 1). Returns false once depth is exceeded, to stop the walk.
 */
function checkValue(value: unknown, path: string, depth: number, limits: IngestLimits, index: number, out: FieldProblem[]): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined': // dropped when serialised, as JSON does
      return true;
    case 'number':
      if (!Number.isFinite(value)) out.push({ index, field: path, error: `${path}: must be a finite number, got ${value}` });
      return true;
    case 'object':
      break;
    default:
      out.push({ index, field: path, error: `${path}: must be a JSON value, got ${describe(value)}` });
      return true;
  }
  if (value === null) return true;
  const childDepth = depth + 1;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const childPath = `${path}.${i}`;
      if (childDepth > limits.maxAttributeDepth) return depthExceeded(childPath, childDepth, limits, index, out);
      if (!checkValue(value[i], childPath, childDepth, limits, index, out)) return false;
    }
    return true;
  }
  if (!isPlainObject(value)) {
    out.push({ index, field: path, error: `${path}: must be a JSON value, got ${describe(value)} that is not a plain object` });
    return true;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const childPath = `${path}.${key}`;
    if (isForbiddenKey(key)) {
      out.push({ index, field: childPath, error: `${childPath}: key is not allowed` });
      continue;
    }
    if (childDepth > limits.maxAttributeDepth) return depthExceeded(childPath, childDepth, limits, index, out);
    if (!checkValue(record[key], childPath, childDepth, limits, index, out)) return false;
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
  if (attributes !== undefined && attributes !== null) {
    if (typeof attributes !== 'object' || Array.isArray(attributes) || !isPlainObject(attributes)) {
      out.push({ index, field: 'attributes', error: `attributes: must be an object, got ${describe(attributes)}` });
    } else {
      const record = attributes as Record<string, unknown>;
      for (const key in record) {
        count++;
        const path = `attributes.${key}`;
        if (isForbiddenKey(key)) out.push({ index, field: path, error: `${path}: key is not allowed` });
        else checkValue(record[key], path, 1, limits, index, out);
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
      checkValue(event[key], key, 1, limits, index, out);
      result[key] = event[key];
    }
  }
  if (count > limits.maxAttributes) {
    const including = moved > 0 ? ` (including ${moved} unknown top-level field${moved === 1 ? '' : 's'})` : '';
    out.push({ index, field: 'attributes', error: `attributes: ${count} keys${including} exceeds the limit of ${limits.maxAttributes}` });
  }
  if (out.length === before && count > 0) checkSize(result, limits, index, out);
  return result;
}

function checkSize(attributes: Record<string, unknown>, limits: IngestLimits, index: number, out: FieldProblem[]): void {
  const json = JSON.stringify(attributes);
  // Each UTF-16 unit is at most 3 UTF-8 bytes, so most payloads skip the exact count.
  if (json.length * 3 <= limits.maxAttributesBytes) return;
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > limits.maxAttributesBytes) {
    out.push({ index, field: 'attributes', error: `attributes: ${bytes} bytes as JSON exceeds the limit of ${limits.maxAttributesBytes}` });
  }
}
