/** Option parsers and the store lifecycle shared by the CLI's commands. */

import { Command, InvalidArgumentError } from 'commander';

import { createYataScale, type YataScale } from '../store.js';
import type { YataScaleConfig } from '../types.js';

/** The program's global options. */
export interface GlobalOptions {
  db: string;
  json?: boolean;
}

/** Returns a parser that accepts whole numbers from `min` to `max`. */
export function wholeNumber(min: number, max: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    }
    return parsed;
  };
}

/** Collects a repeatable option into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Opens the store named by --db, runs `work`, and always closes the store.
 * A missing store is an error unless `config` sets `create: true`.
 */
export async function withStore<T>(
  program: Command,
  work: (store: YataScale, options: GlobalOptions) => Promise<T>,
  config: YataScaleConfig = {},
): Promise<T> {
  const options = program.opts<GlobalOptions>();
  const store = createYataScale({ path: options.db, create: false, ...config });
  await store.initialize();
  try {
    return await work(store, options);
  } finally {
    await store.close();
  }
}
