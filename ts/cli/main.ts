#!/usr/bin/env node
/**
 * The `yata-scale` command line.
 *
 * Exit codes: 0 on success, 1 when a command fails (one line on stderr),
 * 2 on bad usage.
 */

import { readFileSync, statSync } from 'node:fs';

import { Command, CommanderError, Option } from 'commander';

import { DEFAULT_STORE_PATH } from '../config.js';
import { EntityNotFoundError, YataScaleError } from '../errors.js';
import { registerCompatCommands } from './compat-commands.js';
import { registerQueryCommands } from './query-commands.js';
import { printEntity, printJson, printNeighbors, printPath, printQuery, printStats } from './output.js';
import { collect, type GlobalOptions, wholeNumber, withStore } from './options.js';
import { createProgressReporter } from './progress.js';

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

const directionOption = () =>
  new Option('--direction <direction>', 'which relationships to follow').choices(['out', 'in', 'both']).default('both');

/** Returns the version in package.json, two directories above this file in both ts/cli and dist/cli. */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  if (typeof manifest.version !== 'string') throw new Error('package.json has no version string');
  return manifest.version;
}

/** Returns the `fs.Stats` of `path`, or undefined when nothing exists there. */
function statIfExists(path: string) {
  try {
    return statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Fails when --db names an existing file that is not a directory, before any store is opened. */
function checkStorePath(program: Command): void {
  const { db } = program.opts<GlobalOptions>();
  const stats = statIfExists(db);
  if (stats !== undefined && !stats.isDirectory()) {
    throw new Error(`--db ${db} is a file, not a store directory; pass a directory path`);
  }
}

/** Fails when the source directory of `index` is missing or not a directory. */
function checkSourceDirectory(dir: string): void {
  const stats = statIfExists(dir);
  if (stats === undefined) throw new Error(`source directory not found: ${dir}`);
  if (!stats.isDirectory()) throw new Error(`source is not a directory: ${dir}`);
}

function buildProgram(): Command {
  const program = new Command();
  program
    .name('yata-scale')
    .description('Sharded knowledge-graph store for code: index sources, then query entities and relationships')
    .option('--db <dir>', 'store directory', DEFAULT_STORE_PATH)
    .option('--json', 'print machine-readable JSON on stdout')
    .version(packageVersion(), '-V, --version', 'print the version and exit')
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError()
    .exitOverride()
    .hook('preAction', () => checkStorePath(program));

  program
    .command('index')
    .description('extract entities and relationships from the TypeScript and JavaScript files under <dir>')
    .argument('<dir>', 'source directory')
    .option('--shards <n>', 'shard count for a new store', wholeNumber(1, 1024))
    .action(async (dir: string, opts: { shards?: number }) => {
      checkSourceDirectory(dir);
      // Loaded on demand: the extractor pulls in the TypeScript compiler,
      // which would slow every other command's start-up.
      const { indexDirectory, IndexRootMismatchError } = await import('../indexer/index-directory.js');
      const progress = createProgressReporter();
      const summary = await withStore(
        program,
        async (store) => {
          try {
            return await indexDirectory(store, dir, { onProgress: progress.update, onStage: progress.stage });
          } catch (error) {
            if (error instanceof IndexRootMismatchError) {
              throw new YataScaleError(
                `store ${store.path} was indexed from ${error.storedRoot}, not ${error.requestedRoot}; ` +
                  'use another --db for each source root',
                error.code,
                error,
              );
            }
            throw error;
          } finally {
            progress.stop();
          }
        },
        opts.shards === undefined ? { create: true } : { create: true, shards: opts.shards },
      );
      if (program.opts<GlobalOptions>().json) {
        printJson(summary);
      } else {
        process.stdout.write(
          `indexed ${summary.files} files (${summary.changedFiles} changed, ${summary.unchangedFiles} unchanged, ` +
            `${summary.removedFiles} removed): ${summary.entities} entities, ${summary.relationships} relationships ` +
            `in ${summary.seconds.toFixed(1)} s\n`,
        );
      }
    });

  program
    .command('stats')
    .description('print entity and relationship counts, overall and per shard')
    .action(async () => {
      const stats = await withStore(program, (store) => store.getStats());
      if (program.opts<GlobalOptions>().json) printJson(stats);
      else printStats(stats);
    });

  program
    .command('get')
    .description('print one entity')
    .argument('<id>', 'entity id')
    .action(async (id: string) => {
      const entity = await withStore(program, (store) => store.getEntity(id));
      if (!entity) throw new EntityNotFoundError(id);
      if (program.opts<GlobalOptions>().json) printJson(entity);
      else printEntity(entity);
    });

  program
    .command('query')
    .description('list entities matching every given filter, sorted by name')
    .option('--type <type>', 'entity type; repeat for any of several', collect)
    .option('--namespace <ns>', 'exact namespace')
    .option('--name-pattern <glob>', 'name glob: * is any run of characters, ? one character')
    .option('--text <words>', 'words that must all occur in the name, namespace, description or file path')
    .option('--limit <n>', 'page size', wholeNumber(0, 1_000_000), 100)
    .option('--offset <n>', 'matches to skip', wholeNumber(0, Number.MAX_SAFE_INTEGER), 0)
    .action(async (opts: { type?: string[]; namespace?: string; namePattern?: string; text?: string; limit: number; offset: number }) => {
      const result = await withStore(program, (store) =>
        store.query(
          {
            entityFilters: { types: opts.type, namespace: opts.namespace, namePattern: opts.namePattern },
            textSearch: opts.text,
          },
          { limit: opts.limit, offset: opts.offset },
        ),
      );
      if (program.opts<GlobalOptions>().json) printJson(result);
      else printQuery(result);
    });

  program
    .command('neighbors')
    .description('list entities within --depth hops of <id>')
    .argument('<id>', 'entity id')
    .option('--depth <k>', 'hops to expand', wholeNumber(0, 64), 1)
    .addOption(directionOption())
    .option('--relationship-type <type>', 'follow only this relationship type; repeatable', collect)
    .option('--type <type>', 'report only this entity type; repeatable', collect)
    .action(async (id: string, opts: { depth: number; direction: 'out' | 'in' | 'both'; relationshipType?: string[]; type?: string[] }) => {
      const neighbors = await withStore(program, (store) =>
        store.getNeighbors(id, {
          depth: opts.depth,
          direction: opts.direction,
          relationshipTypes: opts.relationshipType,
          entityTypes: opts.type,
        }),
      );
      if (program.opts<GlobalOptions>().json) printJson(neighbors);
      else printNeighbors(neighbors);
    });

  program
    .command('path')
    .description('find a shortest path from <from> to <to>, by hops')
    .argument('<from>', 'start entity id')
    .argument('<to>', 'end entity id')
    .option('--max-depth <n>', 'longest path to look for, in hops', wholeNumber(0, 64), 10)
    .addOption(directionOption())
    .option('--relationship-type <type>', 'follow only this relationship type; repeatable', collect)
    .action(async (from: string, to: string, opts: { maxDepth: number; direction: 'out' | 'in' | 'both'; relationshipType?: string[] }) => {
      const path = await withStore(program, (store) =>
        store.findPath(from, to, { maxDepth: opts.maxDepth, direction: opts.direction, relationshipTypes: opts.relationshipType }),
      );
      if (program.opts<GlobalOptions>().json) printJson(path);
      else printPath(path);
    });

  registerQueryCommands(program);
  registerCompatCommands(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed the message; help and version requests succeed.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    const message = error instanceof Error ? error.message : String(error);
    const code = error instanceof YataScaleError ? ` [${error.code}]` : '';
    process.stderr.write(`yata-scale: ${message.split('\n')[0]}${code}\n`);
    return EXIT_FAILURE;
  }
}

process.exitCode = await main(process.argv);
