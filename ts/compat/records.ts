/**
 * yata-local's record shapes (`@nahisaho/yata-local` 2.4.6, `src/io.ts`) and a
 * canonical JSON form of them, shared by the migration and the file formats.
 */

import type { Entity, JsonObject, Relationship } from '../types.js';

/** An entity as yata-local's JSON export writes it, in its key order. */
export interface EntityRecordJson {
  id: string;
  type: string;
  name: string;
  namespace: string;
  filePath?: string;
  line?: number;
  description?: string;
  metadata: JsonObject;
  /** ISO-8601 with milliseconds, as `Date.toISOString()` writes it. */
  createdAt: string;
  updatedAt: string;
}

/** A relationship as yata-local's JSON export writes it, in its key order. */
export interface RelationshipRecordJson {
  id: string;
  sourceId: string;
  targetId: string;
  type: string;
  weight: number;
  metadata: JsonObject;
  createdAt: string;
}

/** A record converted for the store, or the reason it cannot be stored. */
export type Converted<T> = { ok: true; id: string; input: T } | { ok: false; id: string; reason: string };

/** Converts an entity to yata-local's JSON shape; optional fields are left out when absent. */
export function entityToJson(entity: Entity): EntityRecordJson {
  const record: EntityRecordJson = {
    id: entity.id,
    type: entity.type,
    name: entity.name,
    namespace: entity.namespace,
  } as EntityRecordJson;
  if (entity.filePath !== undefined) record.filePath = entity.filePath;
  if (entity.line !== undefined) record.line = entity.line;
  if (entity.description !== undefined) record.description = entity.description;
  record.metadata = entity.metadata;
  record.createdAt = entity.createdAt.toISOString();
  record.updatedAt = entity.updatedAt.toISOString();
  return record;
}

export function relationshipToJson(relationship: Relationship): RelationshipRecordJson {
  return {
    id: relationship.id,
    sourceId: relationship.sourceId,
    targetId: relationship.targetId,
    type: relationship.type,
    weight: relationship.weight,
    metadata: relationship.metadata,
    createdAt: relationship.createdAt.toISOString(),
  };
}

/**
 * Serializes `value` as JSON with the keys of every object sorted, so equal
 * data gives equal text whatever order its keys were written in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== 'object' || value === null) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  }
  return sorted;
}

/** Returns true for an object literal or `Object.create(null)`, the only metadata the store accepts. */
export function isPlainObject(value: unknown): value is JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Parses a timestamp given as ISO-8601 text or epoch milliseconds; returns undefined when invalid. */
export function parseTime(value: unknown): Date | undefined {
  let millis: number;
  if (typeof value === 'number') millis = value;
  else if (typeof value === 'string') millis = Date.parse(value);
  else return undefined;
  return Number.isFinite(millis) ? new Date(millis) : undefined;
}
