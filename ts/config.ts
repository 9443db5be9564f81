/** Checks a `YataScaleConfig` and turns it into the addon's open options. */

import { InvalidConfigError, UnsupportedError } from './errors.js';
import type { YataScaleConfig } from './types.js';

/** Store directory used when the config names none. */
export const DEFAULT_STORE_PATH = '.yata-scale';

export interface NativeOpenOptions {
  path: string;
  shardCount?: number;
  shardList?: { id: string; path: string }[];
  partitionStrategy?: string;
  hashSeed?: string;
  virtualNodes?: number;
  cacheBytesPerShard?: number;
}

/** The manifest file whose presence marks a directory as a store. */
export const MANIFEST_FILE = 'manifest.json';

export function toOpenOptions(config: YataScaleConfig = {}): NativeOpenOptions {
  if (typeof config !== 'object' || config === null) {
    throw new InvalidConfigError('config must be an object such as { path: ".yata-scale" }');
  }
  const path = config.path ?? DEFAULT_STORE_PATH;
  if (typeof path !== 'string' || path.trim() === '') {
    throw new InvalidConfigError(`path must be a non-empty string, not ${JSON.stringify(path)}`);
  }

  const strategy = config.partitionStrategy;
  if (strategy !== undefined && strategy !== 'hash') {
    throw new UnsupportedError(
      'partitionStrategy',
      String(strategy),
      strategy === 'range' || strategy === 'graph'
        ? 'this release partitions only by hash; use "hash"'
        : 'use "hash"',
    );
  }

  const options: NativeOpenOptions = { path, partitionStrategy: strategy };
  const shards = config.shards;
  if (typeof shards === 'number') {
    if (!Number.isInteger(shards) || shards < 1 || shards > 1024) {
      throw new InvalidConfigError(`shards must be a whole number from 1 to 1024, not ${shards}`);
    }
    options.shardCount = shards;
  } else if (Array.isArray(shards)) {
    options.shardList = shards.map((shard, i) => {
      if (typeof shard !== 'object' || shard === null || typeof shard.id !== 'string' || typeof shard.path !== 'string') {
        throw new InvalidConfigError(`shards[${i}] must be an object { id: string, path: string }`);
      }
      if (shard.type !== undefined && shard.type !== 'local') {
        throw new UnsupportedError(`shards[${i}].type`, String(shard.type), 'this release stores only local shards; use "local"');
      }
      return { id: shard.id, path: shard.path };
    });
  } else if (shards !== undefined) {
    throw new InvalidConfigError('shards must be a count or a list of { id, path }');
  }

  if (config.hashSeed !== undefined) {
    const seed = BigInt(config.hashSeed);
    if (seed < 0n || seed >= 1n << 64n) {
      throw new InvalidConfigError(`hashSeed must be an unsigned 64-bit integer, not ${config.hashSeed}`);
    }
    options.hashSeed = seed.toString();
  }
  if (config.virtualNodes !== undefined) {
    if (!Number.isInteger(config.virtualNodes) || config.virtualNodes < 1 || config.virtualNodes > 65536) {
      throw new InvalidConfigError(`virtualNodes must be a whole number from 1 to 65536, not ${config.virtualNodes}`);
    }
    options.virtualNodes = config.virtualNodes;
  }
  if (config.cacheBytesPerShard !== undefined) {
    if (!Number.isSafeInteger(config.cacheBytesPerShard) || config.cacheBytesPerShard < 1 << 20) {
      throw new InvalidConfigError(
        `cacheBytesPerShard must be a whole number of bytes, at least 1048576, not ${config.cacheBytesPerShard}`,
      );
    }
    options.cacheBytesPerShard = config.cacheBytesPerShard;
  }
  return options;
}
