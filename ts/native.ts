/**
 * Loads the native addon: the prebuilt binary package for this platform when
 * one is installed, else the binary that `npm install` built from source.
 */

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { NativeStore as NativeStoreType } from './generated/native.js';

export type {
  EntityInput as NativeEntityInput,
  EntityRecord,
  NativeStore,
  RelationshipInput as NativeRelationshipInput,
  RelationshipRecord,
} from './generated/native.js';

interface NativeModule {
  NativeStore: new () => NativeStoreType;
}

const require = createRequire(import.meta.url);
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Returns the platform part of binary names, as napi-rs spells it (e.g. `linux-x64-gnu`). */
export function platformSuffix(): string {
  const { platform, arch } = process;
  if (platform === 'linux') {
    const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
    return `linux-${arch}-${report?.header?.glibcVersionRuntime ? 'gnu' : 'musl'}`;
  }
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

let loaded: NativeModule | undefined;

export function loadNative(): NativeModule {
  if (loaded) return loaded;

  const suffix = platformSuffix();
  const prebuilt = `@yata-scale/native-${suffix}`;
  const local = join(packageRoot, 'native', `yata-scale.${suffix}.node`);
  const failures: string[] = [];

  for (const candidate of [prebuilt, local]) {
    try {
      loaded = require(candidate) as NativeModule;
      return loaded;
    } catch (error) {
      failures.push(`  ${candidate}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(
    `yata-scale: no native binary could be loaded for ${suffix}. Looked in:\n${failures.join('\n')}\n` +
      'Run `npm install` (or `npm run build:native`) in the yata-scale package to build it from source.',
  );
}
