#!/usr/bin/env node
// Builds the native addon from source unless a prebuilt binary for this
// platform is installed. Runs as the package's `install` script.
//
//   node scripts/build-native.mjs          build unless a prebuilt or local build exists
//   node scripts/build-native.mjs --force  always rebuild (cargo rebuilds only what changed)

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const force = process.argv.includes('--force');

function platformSuffix() {
  const { platform, arch } = process;
  if (platform === 'linux') {
    const glibc = process.report?.getReport?.().header?.glibcVersionRuntime;
    return `linux-${arch}-${glibc ? 'gnu' : 'musl'}`;
  }
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

const suffix = platformSuffix();
const prebuiltPackage = `@yata-scale/native-${suffix}`;
const localBinary = join(root, 'native', `yata-scale.${suffix}.node`);

function hasPrebuilt() {
  try {
    require.resolve(prebuiltPackage);
    return true;
  } catch {
    return false;
  }
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    console.error(`yata-scale: '${command} ${args.join(' ')}' failed with exit code ${result.status}`);
    process.exit(result.status ?? 1);
  }
}

if (!force && hasPrebuilt()) {
  console.log(`yata-scale: using the prebuilt binary from ${prebuiltPackage}`);
  process.exit(0);
}
if (!force && existsSync(localBinary) && !existsSync(join(root, 'Cargo.toml'))) {
  process.exit(0);
}

const cargo = spawnSync('cargo', ['--version'], { encoding: 'utf8' });
if (cargo.status !== 0) {
  console.error(
    `yata-scale: no prebuilt binary for ${suffix} (looked for ${prebuiltPackage}) and 'cargo' was not found.\n` +
      'Install Rust from https://rustup.rs, then run npm install again.',
  );
  process.exit(1);
}

console.log(`yata-scale: building the native addon for ${suffix} in release mode (a first build takes a few minutes)`);
const napiCli = join(root, 'node_modules', '@napi-rs', 'cli', 'dist', 'cli.js');
if (existsSync(napiCli)) {
  run(process.execPath, [
    napiCli,
    'build',
    '--platform',
    '--release',
    '--manifest-path',
    'crates/yata-node/Cargo.toml',
    '--package-json-path',
    'package.json',
    '--output-dir',
    'native',
    '--no-js',
    '--dts',
    '../ts/generated/native.d.ts',
  ]);
} else {
  // Installed from a registry without the napi CLI: build with cargo and copy the library.
  run('cargo', ['build', '--release', '-p', 'yata-node']);
  const library = {
    linux: 'libyata_node.so',
    darwin: 'libyata_node.dylib',
    win32: 'yata_node.dll',
  }[process.platform];
  mkdirSync(join(root, 'native'), { recursive: true });
  copyFileSync(join(root, 'target', 'release', library), localBinary);
}
