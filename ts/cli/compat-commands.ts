/**
 * CLI commands for moving data between yata-local and yata-scale: `migrate`
 * (a yata-local SQLite file), `import` and `export` (yata-local's JSON and
 * GraphML files, plus N-Triples export). Register them with
 * `registerCompatCommands(program)`; they use the program's global `--db`
 * and `--json` options.
 */

import { extname } from 'node:path';

import cliProgress from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';

import type { ExportFormat, ExportResult } from '../compat/io/export.js';
import type { ImportFormat, ImportResult, MergeStrategy } from '../compat/io/import.js';
import type { MigrationProgress, MigrationSummary } from '../compat/migrate.js';
import { YataScaleError } from '../errors.js';
import { createYataScale, type YataScale } from '../store.js';
import { printJson } from './output.js';

interface GlobalOptions {
  db: string;
  json?: boolean;
}

/** Error lines printed for an import before the rest are summarized. */
const MAX_PRINTED_ERRORS = 20;

/**
 * Opens the store named by --db, runs `work`, and always closes the store.
 * With `create` false, a missing store raises `StoreNotFoundError` instead of
 * being created, so a mistyped --db is reported.
 */
async function withStore<T>(program: Command, create: boolean, work: (store: YataScale) => Promise<T>): Promise<T> {
  const store = createYataScale({ path: program.opts<GlobalOptions>().db, create });
  await store.initialize();
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

function wholeNumber(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new InvalidArgumentError('expected a whole number of at least 1');
  return Number(value);
}

function isoTime(value: string): string {
  if (Number.isNaN(Date.parse(value))) {
    throw new InvalidArgumentError('expected an ISO-8601 time such as 2025-01-31 or 2025-01-31T12:00:00Z');
  }
  return value;
}

/** Creates the progress bar of `migrate` on stderr, or a no-op reporter when stderr is not a terminal. */
function migrationProgressBar(): { update: (progress: MigrationProgress) => void; stop: () => void } {
  if (!process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'migrating {phase} [{bar}] {percentage}% | {value}/{total}',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let phase = '';
  return {
    update(progress) {
      if (progress.phase !== phase) {
        if (phase) bar.stop();
        phase = progress.phase;
        bar.start(progress.total, progress.done, { phase });
      }
      bar.update(progress.done, { phase });
    },
    stop() {
      if (phase) bar.stop();
    },
  };
}

function printMigration(summary: MigrationSummary): void {
  const lines = [
    `migrated ${summary.source}: ${summary.entities} entities, ${summary.relationships} relationships ` +
      `in ${summary.seconds.toFixed(1)} s`,
  ];
  if (summary.relationshipsAlreadyStored > 0) {
    lines.push(`${summary.relationshipsAlreadyStored} relationships were already stored unchanged`);
  }
  if (summary.skippedEntities + summary.skippedRelationships > 0) {
    lines.push(`skipped ${summary.skippedEntities} entities and ${summary.skippedRelationships} relationships:`);
    for (const skip of summary.skipped) lines.push(`  ${skip.kind} ${skip.id}: ${skip.reason}`);
  }
  lines.push(`verified: counts and checksum match (sha256 ${summary.checksum})`);
  process.stdout.write(lines.join('\n') + '\n');
}

function printImport(result: ImportResult, dryRun: boolean): void {
  const verb = dryRun ? 'would import' : 'imported';
  process.stdout.write(
    `${verb}: entities ${result.entitiesCreated} created, ${result.entitiesUpdated} updated, ` +
      `${result.entitiesSkipped} skipped; relationships ${result.relationshipsCreated} created, ` +
      `${result.relationshipsSkipped} skipped (${result.importTimeMs} ms)\n`,
  );
  for (const error of result.errors.slice(0, MAX_PRINTED_ERRORS)) {
    process.stderr.write(`  ${error.id}: ${error.reason}\n`);
  }
  if (result.errorCount > MAX_PRINTED_ERRORS) {
    process.stderr.write(`  … and ${result.errorCount - MAX_PRINTED_ERRORS} more errors (use --json to list up to 1000)\n`);
  }
}

function printExport(result: ExportResult): void {
  process.stdout.write(
    `exported ${result.entityCount} entities and ${result.relationshipCount} relationships as ${result.format} ` +
      `to ${result.outputPath} (${result.fileSize} bytes, ${result.exportTimeMs} ms)\n`,
  );
}

/** Picks the import format from the file extension: `.graphml` and `.xml` are GraphML, anything else JSON. */
function formatFromExtension(file: string): ImportFormat {
  const extension = extname(file).toLowerCase();
  return extension === '.graphml' || extension === '.xml' ? 'graphml' : 'json';
}

/** Adds the `migrate`, `import` and `export` commands to `program`. */
export function registerCompatCommands(program: Command): void {
  program
    .command('migrate')
    .description('copy a yata-local SQLite database into the store, keeping ids and timestamps, then verify the copy')
    .argument('<file.db>', 'yata-local database file (yata-local writes .yata/knowledge.db by default)')
    .option('--merge', 'write into a non-empty store: records with the same ids are replaced')
    .option('--batch-size <n>', 'records per write batch', wholeNumber, 5_000)
    .action(async (file: string, opts: { merge?: boolean; batchSize: number }) => {
      // Loaded on demand: the migration loads the better-sqlite3 addon.
      const { migrate } = await import('../compat/migrate.js');
      const progress = migrationProgressBar();
      const summary = await withStore(program, true, async (store) => {
        try {
          return await migrate(store, file, { merge: opts.merge, batchSize: opts.batchSize, onProgress: progress.update });
        } finally {
          progress.stop();
        }
      });
      if (program.opts<GlobalOptions>().json) printJson(summary);
      else printMigration(summary);
    });

  program
    .command('import')
    .description("import a yata-local JSON export (version 1.0 or 2.0) or GraphML file")
    .argument('<file>', 'file to read')
    .addOption(
      new Option('--format <format>', 'file format; by default GraphML for .graphml and .xml files, else JSON').choices([
        'json',
        'graphml',
      ]),
    )
    .addOption(
      new Option('--merge-strategy <strategy>', 'what to do with an entity whose id is already stored')
        .choices(['skip', 'overwrite', 'merge'])
        .default('skip'),
    )
    .option('--dry-run', 'count what would change without writing')
    .action(async (file: string, opts: { format?: ImportFormat; mergeStrategy: MergeStrategy; dryRun?: boolean }) => {
      const { importGraph } = await import('../compat/io/import.js');
      // A dry run writes nothing, so it does not create a store either.
      const result = await withStore(program, opts.dryRun !== true, (store) =>
        importGraph(store, file, {
          format: opts.format ?? formatFromExtension(file),
          mergeStrategy: opts.mergeStrategy,
          dryRun: opts.dryRun,
        }),
      );
      if (program.opts<GlobalOptions>().json) printJson(result);
      else printImport(result, opts.dryRun === true);
      if (result.errorCount > 0) {
        throw new YataScaleError(
          `${result.errorCount} records of ${file} were not imported; fix or remove them and import again`,
          'IMPORT_INCOMPLETE',
        );
      }
    });

  program
    .command('export')
    .description("write the store to a file in one of yata-local's formats")
    .argument('<file>', 'file to write; replaced if it exists')
    .addOption(
      new Option('--format <format>', 'json (yata-local version 2.0), json-v1, graphml or ntriples')
        .choices(['json', 'json-v1', 'graphml', 'ntriples'])
        .default('json'),
    )
    .option('--namespace <ns>', 'export only entities of this exact namespace')
    .option('--since <time>', 'export only entities updated at or after this ISO-8601 time', isoTime)
    .action(async (file: string, opts: { format: ExportFormat; namespace?: string; since?: string }) => {
      const { exportGraph } = await import('../compat/io/export.js');
      const result = await withStore(program, false, (store) =>
        exportGraph(store, file, { format: opts.format, namespace: opts.namespace, since: opts.since }),
      );
      if (program.opts<GlobalOptions>().json) printJson(result);
      else printExport(result);
    });
}
