/**
 * yata-local compatibility: migration from its SQLite files, its import and
 * export formats, and the `YataLocal` facade with its API.
 */

export { migrate, MAX_LISTED_SKIPS } from './migrate.js';
export type { MigrationOptions, MigrationProgress, MigrationSkip, MigrationSummary } from './migrate.js';
export { exportGraph, EXPORT_FORMATS } from './io/export.js';
export type { ExportFormat, ExportOptions, ExportResult } from './io/export.js';
export { importGraph, IMPORT_FORMATS, MAX_LISTED_ERRORS } from './io/import.js';
export type { ImportFormat, ImportOptions, ImportResult, MergeStrategy } from './io/import.js';
export type { GraphInput } from './io/streams.js';
export { createYataLocal, storeDirectoryFor, STORE_DIRECTORY_SUFFIX, YataLocal } from './yata-local.js';
export type {
  YataLocalConfig,
  YataLocalEntityUpdate,
  YataLocalExportOptions,
  YataLocalExportResult,
  YataLocalImportOptions,
  YataLocalJsonExport,
  YataLocalMergeConflict,
  YataLocalMergeResult,
  YataLocalNewEntity,
  YataLocalQuery,
  YataLocalQueryOptions,
  YataLocalStats,
} from './yata-local.js';
