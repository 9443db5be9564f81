/**
 * Read-only access to a yata-local SQLite database (`@nahisaho/yata-local`
 * 2.4.6, `src/database.ts`): the checks run before a migration writes
 * anything, and the conversion of its rows into store inputs.
 */

import { closeSync, openSync, readSync, statSync } from 'node:fs';

import type Database from 'better-sqlite3';

import { MigrationError } from '../errors.js';
import type { EntityInput, RelationshipInput } from '../types.js';
import { isPlainObject, parseTime, type Converted } from './records.js';

/** The first 16 bytes of every SQLite 3 database file. */
const SQLITE_HEADER = 'SQLite format 3\0';

/** Columns of yata-local's `entities` table, in its column order. */
export const ENTITY_COLUMNS = [
  'id',
  'type',
  'name',
  'namespace',
  'file_path',
  'line',
  'description',
  'metadata',
  'created_at',
  'updated_at',
] as const;

/** Columns of yata-local's `relationships` table, in its column order. */
export const RELATIONSHIP_COLUMNS = ['id', 'source_id', 'target_id', 'type', 'weight', 'metadata', 'created_at'] as const;

export interface EntityRow {
  id: unknown;
  type: unknown;
  name: unknown;
  namespace: unknown;
  file_path: unknown;
  line: unknown;
  description: unknown;
  metadata: unknown;
  created_at: unknown;
  updated_at: unknown;
}

export interface RelationshipRow {
  id: unknown;
  source_id: unknown;
  target_id: unknown;
  type: unknown;
  weight: unknown;
  metadata: unknown;
  created_at: unknown;
}

export interface SourceDatabase {
  db: Database.Database;
  path: string;
  entityCount: number;
  /** 0 when the file has no `relationships` table, as in files older than yata-local's first relationship release. */
  relationshipCount: number;
  hasRelationships: boolean;
}

const REPAIR_HINT = 'restore the file from a backup or repair it with the sqlite3 .recover command, then migrate again';
const FIX_HINT = 'point the migration at the knowledge.db file that yata-local writes (by default .yata/knowledge.db)';

/**
 * Opens `path` read-only and checks, before anything is written, that it is
 * an intact SQLite database with yata-local's tables and columns; counts
 * its rows. Fails with `MigrationError` naming the file and the fix.
 */
export async function openSourceDatabase(path: string): Promise<SourceDatabase> {
  checkSqliteHeader(path);

  // Loaded here so that importing the library does not load the SQLite addon.
  const { default: SqliteDatabase } = await import('better-sqlite3');
  let db: Database.Database;
  try {
    db = new SqliteDatabase(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new MigrationError(`cannot open ${path} as SQLite: ${messageOf(error)}; ${FIX_HINT}`, path, error);
  }

  try {
    const tables = new Set(
      (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((row) => row.name),
    );
    if (!tables.has('entities')) {
      throw new MigrationError(
        `${path} is an SQLite database of another schema: it has no 'entities' table ` +
          `(tables: ${[...tables].sort().join(', ') || 'none'}); ${FIX_HINT}`,
        path,
      );
    }
    requireColumns(db, path, 'entities', ENTITY_COLUMNS);
    const hasRelationships = tables.has('relationships');
    if (hasRelationships) requireColumns(db, path, 'relationships', RELATIONSHIP_COLUMNS);

    const problems = (db.prepare('PRAGMA quick_check').all() as { quick_check: string }[]).map((row) => row.quick_check);
    if (problems.length !== 1 || problems[0] !== 'ok') {
      throw new MigrationError(
        `${path} is corrupted: PRAGMA quick_check reports ${problems.slice(0, 3).join('; ')}` +
          `${problems.length > 3 ? ` and ${problems.length - 3} more problems` : ''}; ${REPAIR_HINT}`,
        path,
      );
    }

    const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS count FROM ${table}`).get() as { count: number }).count;
    return {
      db,
      path,
      entityCount: count('entities'),
      relationshipCount: hasRelationships ? count('relationships') : 0,
      hasRelationships,
    };
  } catch (error) {
    db.close();
    if (error instanceof MigrationError) throw error;
    const code = (error as { code?: unknown }).code;
    if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
      throw new MigrationError(`${path} is corrupted (${messageOf(error)}); ${REPAIR_HINT}`, path, error);
    }
    throw new MigrationError(`cannot read ${path}: ${messageOf(error)}; ${FIX_HINT}`, path, error);
  }
}

function checkSqliteHeader(path: string): void {
  let size: number;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) {
      throw new MigrationError(`${path} is not a file; ${FIX_HINT}`, path);
    }
    size = stats.size;
  } catch (error) {
    if (error instanceof MigrationError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : messageOf(error);
    throw new MigrationError(`cannot migrate ${path}: ${reason}; check the path and ${FIX_HINT}`, path, error);
  }

  const header = Buffer.alloc(SQLITE_HEADER.length);
  let read = 0;
  if (size > 0) {
    const fd = openSync(path, 'r');
    try {
      read = readSync(fd, header, 0, header.length, 0);
    } finally {
      closeSync(fd);
    }
  }
  if (read < header.length || header.toString('latin1') !== SQLITE_HEADER) {
    throw new MigrationError(
      `${path} is not an SQLite database (${size === 0 ? 'the file is empty' : 'it lacks the SQLite header'}); ${FIX_HINT}`,
      path,
    );
  }
}

function requireColumns(db: Database.Database, path: string, table: string, expected: readonly string[]): void {
  const columns = new Set((db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((row) => row.name));
  const missing = expected.filter((column) => !columns.has(column));
  if (missing.length > 0) {
    throw new MigrationError(
      `${path} is an SQLite database of another schema: table '${table}' lacks the yata-local columns ` +
        `${missing.join(', ')}; ${FIX_HINT}`,
      path,
    );
  }
}

/** SQL selecting the entity columns; `order` is appended as given. */
export function entitySelect(order = ''): string {
  return `SELECT ${ENTITY_COLUMNS.join(', ')} FROM entities${order ? ` ORDER BY ${order}` : ''}`;
}

export function relationshipSelect(order = ''): string {
  return `SELECT ${RELATIONSHIP_COLUMNS.join(', ')} FROM relationships${order ? ` ORDER BY ${order}` : ''}`;
}

/**
 * Converts an `entities` row into a store input with its id and timestamps.
 * Rows the store could not hold unchanged (a non-text id, metadata that is
 * not a JSON object, an unreadable timestamp) are returned with a reason.
 */
export function convertEntityRow(row: EntityRow): Converted<EntityInput> {
  const id = typeof row.id === 'string' ? row.id : String(row.id);
  const fail = (reason: string): Converted<EntityInput> => ({ ok: false, id, reason });

  if (typeof row.id !== 'string') return fail(`id is ${typeof row.id}, not text`);
  if (typeof row.type !== 'string') return fail('type is not text');
  if (typeof row.name !== 'string') return fail('name is not text');
  if (row.namespace !== null && typeof row.namespace !== 'string') return fail('namespace is not text');
  if (row.file_path !== null && typeof row.file_path !== 'string') return fail('file_path is not text');
  if (row.description !== null && typeof row.description !== 'string') return fail('description is not text');
  if (row.line !== null && !(typeof row.line === 'number' && Number.isInteger(row.line) && row.line >= 0 && row.line <= 0xffff_ffff)) {
    return fail(`line ${String(row.line)} is not a whole number from 0 to 4294967295`);
  }
  const metadata = parseMetadata(row.metadata);
  if (typeof metadata === 'string') return fail(metadata);
  const createdAt = parseTime(row.created_at);
  if (!createdAt) return fail(`created_at ${JSON.stringify(row.created_at)} is not an ISO-8601 timestamp`);
  const updatedAt = parseTime(row.updated_at);
  if (!updatedAt) return fail(`updated_at ${JSON.stringify(row.updated_at)} is not an ISO-8601 timestamp`);

  const input: EntityInput = {
    id: row.id,
    type: row.type,
    name: row.name,
    namespace: (row.namespace as string | null) ?? '',
    metadata,
    createdAt,
    updatedAt,
  };
  if (row.file_path !== null) input.filePath = row.file_path as string;
  if (row.line !== null) input.line = row.line as number;
  if (row.description !== null) input.description = row.description as string;
  return { ok: true, id, input };
}

/** Converts a `relationships` row into a store input with its id, weight and creation time. */
export function convertRelationshipRow(row: RelationshipRow): Converted<RelationshipInput> {
  const id = typeof row.id === 'string' ? row.id : String(row.id);
  const fail = (reason: string): Converted<RelationshipInput> => ({ ok: false, id, reason });

  if (typeof row.id !== 'string') return fail(`id is ${typeof row.id}, not text`);
  if (typeof row.source_id !== 'string') return fail('source_id is not text');
  if (typeof row.target_id !== 'string') return fail('target_id is not text');
  if (typeof row.type !== 'string') return fail('type is not text');
  if (typeof row.weight !== 'number' || !Number.isFinite(row.weight)) {
    return fail(`weight ${String(row.weight)} is not a finite number`);
  }
  const metadata = parseMetadata(row.metadata);
  if (typeof metadata === 'string') return fail(metadata);
  const createdAt = parseTime(row.created_at);
  if (!createdAt) return fail(`created_at ${JSON.stringify(row.created_at)} is not an ISO-8601 timestamp`);

  return {
    ok: true,
    id,
    input: {
      id: row.id,
      sourceId: row.source_id,
      targetId: row.target_id,
      type: row.type,
      weight: row.weight,
      metadata,
      createdAt,
    },
  };
}

/** Returns the parsed metadata object, or a reason string when it is not a JSON object. */
function parseMetadata(text: unknown): Record<string, unknown> | string {
  if (text === null || text === undefined) return {};
  if (typeof text !== 'string') return 'metadata is not text';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `metadata is not valid JSON: ${messageOf(error)}`;
  }
  return isPlainObject(value) ? value : 'metadata is JSON but not an object';
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
