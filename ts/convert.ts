/**
 * Checks JavaScript inputs and converts them to and from the native addon's
 * plain records. Type and shape errors are caught here, with the field's
 * name; value rules (id alphabet, sizes, JSON object metadata) are checked
 * again in the engine, which is the one authority for them.
 */

import { InvalidInputError } from './errors.js';
import type { EntityRecord, NativeEntityInput, NativeRelationshipInput, RelationshipRecord } from './native.js';
import type {
  Direction,
  Entity,
  EntityInput,
  JsonObject,
  Relationship,
  RelationshipInput,
  TimeInput,
} from './types.js';

export function requireString(field: string, value: unknown): string {
  if (typeof value !== 'string') {
    throw new InvalidInputError(field, value, `must be a string, not ${typeName(value)}`);
  }
  if (!value.isWellFormed()) {
    // The engine stores UTF-8, which cannot hold an unpaired UTF-16 surrogate.
    throw new InvalidInputError(field, value, 'contains an unpaired UTF-16 surrogate; pass well-formed Unicode text');
  }
  return value;
}

export function optionalString(field: string, value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : requireString(field, value);
}

export function optionalLine(field: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new InvalidInputError(field, value, 'must be a whole number from 0 to 4294967295');
  }
  return value;
}

export function requireCount(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidInputError(field, value, `must be a whole number from ${min} to ${max}`);
  }
  return value;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** A `\uD800`-style escape that `JSON.stringify` writes for an unpaired surrogate. */
const LONE_SURROGATE_ESCAPE = /\\u(?:d[89ab][0-9a-f]{2}(?!\\ud[c-f][0-9a-f]{2})|(?<!\\ud[89ab][0-9a-f]{2})d[c-f][0-9a-f]{2})/i;

/** Serializes metadata, which must be a plain JSON object. */
export function metadataText(value: unknown, field = 'metadata'): string | undefined {
  if (value === undefined) return undefined;
  const isPlainObject =
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    [Object.prototype, null].includes(Object.getPrototypeOf(value));
  if (!isPlainObject) {
    throw new InvalidInputError(field, value, 'must be a plain JSON object such as { key: "value" }');
  }
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new InvalidInputError(field, value, `cannot be serialized as JSON: ${(error as Error).message}`);
  }
  if (LONE_SURROGATE_ESCAPE.test(text)) {
    throw new InvalidInputError(field, value, 'contains an unpaired UTF-16 surrogate; pass well-formed Unicode text');
  }
  return text;
}

export function timeMillis(field: string, value: TimeInput | undefined): number | undefined {
  if (value === undefined || value === null) return undefined;
  let millis: unknown = value;
  if (value instanceof Date) {
    millis = value.getTime();
  } else if (typeof value === 'string') {
    millis = Date.parse(value);
  }
  if (typeof millis !== 'number' || !Number.isFinite(millis)) {
    throw new InvalidInputError(field, value, 'must be a Date, an ISO-8601 string or epoch milliseconds');
  }
  return Math.trunc(millis);
}

export function toNativeEntity(input: EntityInput, index?: number): NativeEntityInput {
  const at = (field: string) => (index === undefined ? field : `entities[${index}].${field}`);
  if (typeof input !== 'object' || input === null) {
    throw new InvalidInputError(index === undefined ? 'entity' : `entities[${index}]`, input, 'must be an object');
  }
  return {
    id: optionalString(at('id'), input.id),
    type: requireString(at('type'), input.type),
    name: requireString(at('name'), input.name),
    namespace: optionalString(at('namespace'), input.namespace),
    filePath: optionalString(at('filePath'), input.filePath),
    line: optionalLine(at('line'), input.line),
    description: optionalString(at('description'), input.description),
    metadata: metadataText(input.metadata, at('metadata')),
    createdAt: timeMillis(at('createdAt'), input.createdAt),
    updatedAt: timeMillis(at('updatedAt'), input.updatedAt),
  };
}

export function toNativeRelationship(input: RelationshipInput, index?: number): NativeRelationshipInput {
  const at = (field: string) => (index === undefined ? field : `relationships[${index}].${field}`);
  if (typeof input !== 'object' || input === null) {
    throw new InvalidInputError(index === undefined ? 'relationship' : `relationships[${index}]`, input, 'must be an object');
  }
  if (input.weight !== undefined && (typeof input.weight !== 'number' || !Number.isFinite(input.weight))) {
    throw new InvalidInputError(at('weight'), input.weight, 'must be a finite number');
  }
  return {
    id: optionalString(at('id'), input.id),
    sourceId: requireString(at('sourceId'), input.sourceId),
    targetId: requireString(at('targetId'), input.targetId),
    type: requireString(at('type'), input.type),
    weight: input.weight,
    metadata: metadataText(input.metadata, at('metadata')),
    createdAt: timeMillis(at('createdAt'), input.createdAt),
  };
}

function parseMetadata(text: string): JsonObject {
  return JSON.parse(text) as JsonObject;
}

export function fromNativeEntity(record: EntityRecord): Entity {
  // Keys in yata-local's order, so JSON output lines up with its exports.
  const entity: Entity = {
    id: record.id,
    type: record.type,
    name: record.name,
    namespace: record.namespace,
  } as Entity;
  if (record.filePath != null) entity.filePath = record.filePath;
  if (record.line != null) entity.line = record.line;
  if (record.description != null) entity.description = record.description;
  entity.metadata = parseMetadata(record.metadata);
  entity.createdAt = new Date(record.createdAt);
  entity.updatedAt = new Date(record.updatedAt);
  return entity;
}

export function fromNativeRelationship(record: RelationshipRecord): Relationship {
  return {
    id: record.id,
    sourceId: record.sourceId,
    targetId: record.targetId,
    type: record.type,
    weight: record.weight,
    metadata: parseMetadata(record.metadata),
    createdAt: new Date(record.createdAt),
  };
}

/** Normalizes a direction, accepting yata-local's `forward` and `backward`. */
export function normalizeDirection(value: unknown, fallback: Direction = 'both'): Direction {
  if (value === undefined) return fallback;
  switch (value) {
    case 'out':
    case 'forward':
      return 'out';
    case 'in':
    case 'backward':
      return 'in';
    case 'both':
      return 'both';
    default:
      throw new InvalidInputError('direction', value, "must be 'out', 'in' or 'both'");
  }
}

/** Normalizes an optional list of type strings. */
export function typeList(field: string, value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const list = Array.isArray(value) ? value : [value];
  return list.map((item, i) => requireString(`${field}[${i}]`, item));
}
