/**
 * Error classes. Every error the library raises is a `YataScaleError` with a
 * stable `code`; errors raised in the Rust engine arrive as the same classes.
 */

export class YataScaleError extends Error {
  readonly code: string;

  constructor(message: string, code: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'YataScaleError';
    this.code = code;
  }
}

export class ShardError extends YataScaleError {
  readonly shardId: string;

  constructor(message: string, shardId: string, cause?: unknown, code = 'SHARD_ERROR') {
    super(message, code, cause);
    this.name = 'ShardError';
    this.shardId = shardId;
  }
}

export class ShardNotFoundError extends ShardError {
  constructor(shardId: string) {
    super(`shard not found: ${shardId}`, shardId, undefined, 'SHARD_NOT_FOUND');
    this.name = 'ShardNotFoundError';
  }
}

export class ShardUnavailableError extends ShardError {
  constructor(shardId: string, cause?: unknown, message = `shard unavailable: ${shardId}`) {
    super(message, shardId, cause, 'SHARD_UNAVAILABLE');
    this.name = 'ShardUnavailableError';
  }
}

export class IndexError extends YataScaleError {
  readonly indexName: string;

  constructor(message: string, indexName: string, cause?: unknown, code = 'INDEX_ERROR') {
    super(message, code, cause);
    this.name = 'IndexError';
    this.indexName = indexName;
  }
}

/** Stored data (a record, an index or the manifest) could not be decoded. */
export class IndexCorruptedError extends IndexError {
  constructor(indexName: string, message = `index corrupted: ${indexName}`) {
    super(message, indexName, undefined, 'INDEX_CORRUPTED');
    this.name = 'IndexCorruptedError';
  }
}

export class CacheError extends YataScaleError {
  constructor(message: string, cause?: unknown) {
    super(message, 'CACHE_ERROR', cause);
    this.name = 'CacheError';
  }
}

export class SyncError extends YataScaleError {
  constructor(message: string, cause?: unknown, code = 'SYNC_ERROR') {
    super(message, code, cause);
    this.name = 'SyncError';
  }
}

export class ConflictError extends SyncError {
  readonly entityId: string;
  readonly localVersion: number;
  readonly remoteVersion: number;

  constructor(entityId: string, localVersion: number, remoteVersion: number) {
    super(
      `conflict on entity ${entityId}: local version ${localVersion}, remote version ${remoteVersion}`,
      undefined,
      'CONFLICT',
    );
    this.name = 'ConflictError';
    this.entityId = entityId;
    this.localVersion = localVersion;
    this.remoteVersion = remoteVersion;
  }
}

export class QueryError extends YataScaleError {
  constructor(message: string, cause?: unknown, code = 'QUERY_ERROR') {
    super(message, code, cause);
    this.name = 'QueryError';
  }
}

export class QueryTimeoutError extends QueryError {
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super(`query timed out after ${timeoutMs} ms`, undefined, 'QUERY_TIMEOUT');
    this.name = 'QueryTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

export class EntityNotFoundError extends YataScaleError {
  readonly entityId: string;

  constructor(entityId: string) {
    super(`entity not found: ${entityId}`, 'ENTITY_NOT_FOUND');
    this.name = 'EntityNotFoundError';
    this.entityId = entityId;
  }
}

export class RelationshipNotFoundError extends YataScaleError {
  readonly relationshipId: string;

  constructor(relationshipId: string) {
    super(`relationship not found: ${relationshipId}`, 'RELATIONSHIP_NOT_FOUND');
    this.name = 'RelationshipNotFoundError';
    this.relationshipId = relationshipId;
  }
}

/** A value passed to the API breaks a documented rule; `field` names it. */
export class InvalidInputError extends YataScaleError {
  readonly field: string;
  readonly value: string;

  constructor(field: string, value: unknown, reason: string, code = 'INVALID_INPUT') {
    const shown = describeValue(value);
    super(`invalid ${field} ${shown}: ${reason}`, code);
    this.name = 'InvalidInputError';
    this.field = field;
    this.value = shown;
  }
}

/** An insert names an id that is already stored. */
export class AlreadyExistsError extends InvalidInputError {
  readonly id: string;

  constructor(id: string, message?: string) {
    super('id', id, 'is already stored; use updateEntity, upsertEntity or another id', 'ALREADY_EXISTS');
    if (message) this.message = message;
    this.name = 'AlreadyExistsError';
    this.id = id;
  }
}

export class InvalidConfigError extends YataScaleError {
  constructor(message: string, code = 'INVALID_CONFIG') {
    super(message, code);
    this.name = 'InvalidConfigError';
  }
}

/** A setting names a feature that this release does not implement. */
export class UnsupportedError extends InvalidConfigError {
  readonly setting: string;
  readonly value: string;

  constructor(setting: string, value: string, hint: string) {
    super(`unsupported ${setting} '${value}': ${hint}`, 'UNSUPPORTED');
    this.name = 'UnsupportedError';
    this.setting = setting;
    this.value = value;
  }
}

/** Another process, or another open handle in this one, owns the store. */
export class StoreLockedError extends YataScaleError {
  readonly path: string;
  readonly pid: string;

  constructor(path: string, pid: string) {
    super(
      `store ${path} is locked by process ${pid}; close that process or open another path`,
      'STORE_LOCKED',
    );
    this.name = 'StoreLockedError';
    this.path = path;
    this.pid = pid;
  }
}

/** The configured path has no store, and the config requested not to create one. */
export class StoreNotFoundError extends YataScaleError {
  readonly path: string;

  constructor(path: string) {
    super(`no store at ${path}; create one first, for example with \`yata-scale index <dir> --db ${path}\``, 'STORE_NOT_FOUND');
    this.name = 'StoreNotFoundError';
    this.path = path;
  }
}

export class StoreClosedError extends YataScaleError {
  constructor(message = 'store is not open; call initialize() first') {
    super(message, 'STORE_CLOSED');
    this.name = 'StoreClosedError';
  }
}

/** Reading or writing a file of the store failed. */
export class StorageIoError extends YataScaleError {
  readonly path: string;

  constructor(message: string, path: string) {
    super(message, 'IO_ERROR');
    this.name = 'StorageIoError';
    this.path = path;
  }
}

/**
 * Migrating a yata-local SQLite database failed: the file is missing, is not
 * SQLite, is corrupted or has another schema, the target store is not empty,
 * or the migrated data does not match the source. `path` is the source file.
 */
export class MigrationError extends YataScaleError {
  readonly path: string;

  constructor(message: string, path: string, cause?: unknown) {
    super(message, 'MIGRATION_FAILED', cause);
    this.name = 'MigrationError';
    this.path = path;
  }
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return value.length > 80 ? `'${value.slice(0, 80)}…' (${value.length} characters)` : `'${value}'`;
  }
  if (value === undefined) return '(missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `(array of ${value.length})`;
  if (typeof value === 'object') return `(${value.constructor?.name ?? 'object'})`;
  return String(value);
}

const NATIVE_MARKER = 'YATA_ERROR';

interface NativeErrorDetails {
  code: string;
  message: string;
  field?: string;
  value?: string;
  reason?: string;
  id?: string;
  path?: string;
  pid?: string;
  shardId?: string;
  setting?: string;
  location?: string;
  timeoutMs?: number;
}

/** Converts an error thrown by the native addon into the matching class. */
export function fromNativeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const start = error.message.indexOf(NATIVE_MARKER);
  if (start < 0) return error;

  let details: NativeErrorDetails;
  try {
    details = JSON.parse(error.message.slice(start + NATIVE_MARKER.length)) as NativeErrorDetails;
  } catch {
    return error;
  }

  const converted = buildError(details);
  converted.message = details.message;
  return converted;
}

function buildError(details: NativeErrorDetails): YataScaleError {
  switch (details.code) {
    case 'INVALID_INPUT':
      return new InvalidInputError(details.field ?? 'input', details.value ?? '', details.reason ?? details.message);
    case 'INVALID_CONFIG':
      return new InvalidConfigError(details.message);
    case 'UNSUPPORTED':
      return new UnsupportedError(details.setting ?? 'setting', details.value ?? '', details.message);
    case 'ENTITY_NOT_FOUND':
      return new EntityNotFoundError(details.id ?? '');
    case 'RELATIONSHIP_NOT_FOUND':
      return new RelationshipNotFoundError(details.id ?? '');
    case 'ALREADY_EXISTS':
      return new AlreadyExistsError(details.id ?? '');
    case 'STORE_LOCKED':
      return new StoreLockedError(details.path ?? '', details.pid ?? 'unknown');
    case 'STORE_CLOSED':
      return new StoreClosedError();
    case 'SHARD_UNAVAILABLE':
      return new ShardUnavailableError(details.shardId ?? '', undefined, details.message);
    case 'SHARD_NOT_FOUND':
      return new ShardNotFoundError(details.shardId ?? '');
    case 'INDEX_CORRUPTED':
      return new IndexCorruptedError(details.location ?? '', details.message);
    case 'QUERY_TIMEOUT':
      return new QueryTimeoutError(details.timeoutMs ?? 0);
    case 'IO_ERROR':
      return new StorageIoError(details.message, details.path ?? '');
    default:
      return new YataScaleError(details.message, details.code);
  }
}
