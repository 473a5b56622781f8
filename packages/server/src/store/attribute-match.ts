// Trace search by attribute value. Both backends keep a span's attributes as the JSON text
// JSON.stringify made of them, so "key has value" is the same substring test on each: the key and
// the value as JSON, followed by the end of the member (`,` or `}`). A key matches at any depth.

export interface AttributeMatch {
  key: string;
  /** A string value as sent; a number, boolean or null also matches its JSON text ("3", "true"). */
  value: string;
}

/**
 * The texts any one of which, found in a span's attribute JSON, means the span has `key` = `value`.
 * @example attributeNeedles({ key: 'region', value: 'eu' }) // ['"region":"eu",', '"region":"eu"}']
 */
export function attributeNeedles(m: AttributeMatch): string[] {
  const key = JSON.stringify(m.key);
  const values = [JSON.stringify(m.value)];
  if (isJsonScalar(m.value)) values.push(m.value);
  return values.flatMap((v) => [`${key}:${v},`, `${key}:${v}}`]);
}

/** true, false, null or a number exactly as JSON.stringify writes it. */
function isJsonScalar(text: string): boolean {
  if (text === 'true' || text === 'false' || text === 'null') return true;
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) && JSON.stringify(n) === text;
}
