/**
 * CLI commands served by the indexes: `search` (full-text, ranked) and
 * `explain` (the plan of a `query` with the same filters). Register them with
 * `registerQueryCommands(program)`; they use the global `--db` and `--json`.
 */

import { Command, Option } from 'commander';

import type { QueryPlan, SearchResult } from '../types.js';
import { collect, type GlobalOptions, wholeNumber, withStore } from './options.js';
import { printJson } from './output.js';

function printSearch(results: SearchResult[]): void {
  const lines = results.map(
    ({ entity, score }) => `${score.toFixed(3).padStart(8)}  ${entity.type.padEnd(10)} ${entity.name}  [${entity.namespace}]  ${entity.id}`,
  );
  lines.push(`${results.length} results`);
  process.stdout.write(lines.join('\n') + '\n');
}

function printPlan(plan: QueryPlan): void {
  const lines = [
    `indexes: ${plan.indexes.join(', ') || 'none'}`,
    `shards read: ${plan.shards.length} of ${plan.steps.length}${plan.parallel ? ', in parallel' : ''}`,
    `estimated cost: ${plan.estimatedCost}`,
    `sort: ${plan.sortBy}`,
  ];
  for (const step of plan.steps) {
    const also = step.intersect.length > 0 ? `, intersect ${step.intersect.join(', ')}` : '';
    const residual = step.residual.length > 0 ? `, check ${step.residual.join(', ')}` : '';
    lines.push(`  ${step.shardId}: ${step.operation} ${step.index} → ${step.estimatedRows} rows${also}${residual}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

export function registerQueryCommands(program: Command): void {
  program
    .command('search')
    .description('rank entities by full-text relevance (BM25): identifiers match by their parts, Japanese by two-character pieces')
    .argument('<text>', 'words to find; every word must match, "quoted words" form a phrase')
    .option('--limit <n>', 'most results', wholeNumber(0, 1_000_000), 20)
    .addOption(new Option('--fuzzy <distance>', 'allow typos: edit distance per word').choices(['1', '2']))
    .option('--prefix', 'match the last word as a prefix')
    .action(async (text: string, opts: { limit: number; fuzzy?: '1' | '2'; prefix?: boolean }) => {
      const results = await withStore(program, (store) =>
        store.search(text, opts.limit, {
          fuzzy: opts.fuzzy === undefined ? undefined : (Number(opts.fuzzy) as 1 | 2),
          prefix: opts.prefix,
        }),
      );
      if (program.opts<GlobalOptions>().json) printJson(results);
      else printSearch(results);
    });

  program
    .command('explain')
    .description('show the plan a query with these filters would run: indexes, shards and estimated rows')
    .option('--type <type>', 'entity type; repeat for any of several', collect)
    .option('--namespace <ns>', 'exact namespace')
    .option('--name <name>', 'exact name')
    .option('--name-pattern <glob>', 'name glob: * is any run of characters, ? one character')
    .option('--text <words>', 'full-text words that must all match')
    .action(async (opts: { type?: string[]; namespace?: string; name?: string; namePattern?: string; text?: string }) => {
      const plan = await withStore(program, (store) =>
        store.explain({
          entityFilters: { types: opts.type, namespace: opts.namespace, name: opts.name, namePattern: opts.namePattern },
          textSearch: opts.text,
        }),
      );
      if (program.opts<GlobalOptions>().json) printJson(plan);
      else printPlan(plan);
    });
}
