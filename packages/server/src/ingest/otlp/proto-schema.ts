// The vendored opentelemetry-proto files (packages/server/proto), parsed once by protobufjs: the
// message types, and for the hand-rolled readers the wire type of every field, taken from the
// .proto files so they stay the source of truth.

import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { SightlineError } from '../../model/errors.js';

/** Same relative path from src/ingest/otlp (vitest, tsx) and dist/ingest/otlp (built). */
const PROTO_ROOT = fileURLToPath(new URL('../../../proto/', import.meta.url));

const SERVICE_FILES = [
  'opentelemetry/proto/collector/trace/v1/trace_service.proto',
  'opentelemetry/proto/collector/metrics/v1/metrics_service.proto',
  'opentelemetry/proto/collector/logs/v1/logs_service.proto',
];

function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  // Imports name files relative to the proto root ("opentelemetry/proto/common/v1/common.proto").
  root.resolvePath = (_origin, target) => PROTO_ROOT + target;
  try {
    root.loadSync(SERVICE_FILES, { keepCase: false });
    root.resolveAll();
  } catch (err) {
    throw new SightlineError('INTERNAL', `cannot load the OTLP .proto files from ${PROTO_ROOT}: ${(err as Error).message}`, { cause: err });
  }
  return root;
}

export const root = loadRoot();

export const WIRE_NAMES = ['VARINT', 'I64', 'LEN', 'SGROUP', 'EGROUP', 'I32', '6', '7'];

/**
 * One message's fields by number: the wire type each must arrive with (-1 for numbers the
 * message does not define, which are skipped as the protobuf rules say) and its name for errors.
 */
export interface FieldTable {
  message: string;
  wire: Int8Array;
  /** Repeated scalars may also arrive packed (LEN). */
  packable: Uint8Array;
  names: string[];
}

/**
 * The field table of `typeName`. `uses` names the fields a hand-rolled reader reads by number:
 * a .proto that numbers them differently stops the server at start-up instead of misreading.
 */
export function fieldTable(typeName: string, uses: Record<string, number>): FieldTable {
  const type = root.lookupType(typeName);
  let max = 0;
  for (const field of type.fieldsArray) max = Math.max(max, field.id);
  const table: FieldTable = { message: type.name, wire: new Int8Array(max + 1).fill(-1), packable: new Uint8Array(max + 1), names: [] };
  for (const field of type.fieldsArray) {
    field.resolve();
    const basic = (protobuf.types.basic as Record<string, number | undefined>)[field.type];
    table.wire[field.id] = field.resolvedType instanceof protobuf.Enum ? 0 : basic ?? 2;
    table.packable[field.id] = field.repeated && (protobuf.types.packed as Record<string, number | undefined>)[field.type] !== undefined ? 1 : 0;
    table.names[field.id] = field.name;
  }
  for (const [name, id] of Object.entries(uses)) {
    if (type.fields[name]?.id !== id) {
      throw new SightlineError('INTERNAL', `${typeName}.${name} is field ${type.fields[name]?.id ?? 'missing'} in the .proto files, the OTLP reader expects ${id}`);
    }
  }
  return table;
}
