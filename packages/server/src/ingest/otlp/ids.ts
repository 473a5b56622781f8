// Checks of OTLP trace and span ids and enums, shared by the protobuf and JSON decoders so both
// formats reject exactly the same spans with the same messages.

const HEX = /^[0-9a-fA-F]*$/;
const ALL_ZERO = /^0*$/;

/**
 * Returns a problem with a hex id, or null when it is valid: `chars` hex digits, not all zero.
 * An empty parent id is valid (a root span) and is checked by the caller.
 */
export function idProblem(field: string, hex: string, chars: number): string | null {
  if (hex.length !== chars || !HEX.test(hex)) {
    const shown = hex.length > 40 ? `${hex.slice(0, 40)}…` : hex;
    return `${field} ${JSON.stringify(shown)} must be ${chars} hex characters (${chars / 2} bytes), got ${hex.length}`;
  }
  if (ALL_ZERO.test(hex)) return `${field} must not be all zeros`;
  return null;
}

export const STATUS_CODES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'] as const;
export const SPAN_KINDS = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
] as const;

/**
 * Resolves an enum given as an integer (the OTLP rule) or, leniently, by its name.
 * Returns -1 for anything else.
 */
export function enumValue(value: unknown, names: readonly string[]): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 && value < names.length ? value : -1;
  if (typeof value === 'string') return names.indexOf(value);
  return -1;
}

/** Describes the span in a problem message: its id when it has one, else its position. */
export function spanLabel(spanId: string, position: number): string {
  return spanId === '' ? `span #${position}` : `span ${spanId}`;
}
