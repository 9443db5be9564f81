// Installs the peer stores of the benchmark into bench/peers/node_modules,
// and does nothing when they are already installed. The harness runs it
// before a run:
//
//   node bench/peers/install.mjs
//
// `npm ci --ignore-scripts --legacy-peer-deps` installs the exact versions of
// package-lock.json without running any install script.
// --legacy-peer-deps leaves out @nahisaho/musubix-core, the peer dependency of
// @nahisaho/yata-local that yata-local never imports and whose postinstall
// would copy AGENTS.md, CLAUDE.md, .claude/ and .github/ into this folder.
// `npm rebuild` then runs the install scripts of the packages with native
// binaries only, which allowScripts in package.json permits: better-sqlite3
// builds from source, and kuzu copies the prebuilt binary its package
// ships. A lock directory keeps two runs from installing at once.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { PEERS_DIR } from './support.mjs';

const MODULES_DIR = join(PEERS_DIR, 'node_modules');
const LOCK_DIR = join(PEERS_DIR, '.install-lock');
/**
 * A lock older than this is taken to be left over from a killed run. The
 * source build of better-sqlite3 took about a minute on a 2-core machine, so
 * a live install stays well below it.
 */
const STALE_LOCK_MS = 15 * 60_000;
const POLL_MS = 500;

/**
 * Packages whose install script produces a native binary, with the file it
 * produces. lbug is not a dependency, because its prebuilt binary needs a
 * recent glibc. It is listed so that a copy installed by hand is rebuilt
 * and checked too.
 */
const NATIVE_BINARIES = {
  'better-sqlite3': join('build', 'Release', 'better_sqlite3.node'),
  kuzu: 'kuzujs.node',
  lbug: 'lbugjs.node',
};

/** Files that the postinstall of @nahisaho/musubix-core creates in the installing folder. */
export const POSTINSTALL_ARTIFACTS = ['AGENTS.md', 'CLAUDE.md', '.claude', '.github'];

function pinnedVersions() {
  return JSON.parse(readFileSync(join(PEERS_DIR, 'package.json'), 'utf8')).dependencies;
}

function versionOnDisk(name) {
  try {
    return JSON.parse(readFileSync(join(MODULES_DIR, name, 'package.json'), 'utf8')).version;
  } catch {
    return null;
  }
}

function packagesToInstall() {
  return Object.entries(pinnedVersions())
    .filter(([name, version]) => versionOnDisk(name) !== version)
    .map(([name]) => name);
}

function installedNativePackages() {
  return Object.keys(NATIVE_BINARIES).filter((name) => existsSync(join(MODULES_DIR, name, 'package.json')));
}

function binariesToBuild() {
  return installedNativePackages()
    .filter((name) => !existsSync(join(MODULES_DIR, name, NATIVE_BINARIES[name])));
}

function npm(args) {
  console.log(`npm ${args.join(' ')}`);
  const result = spawnSync('npm', args, { cwd: PEERS_DIR, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) {
    throw new Error(`'npm ${args.join(' ')}' in ${PEERS_DIR} failed with exit code ${result.status}${result.error ? `: ${result.error.message}` : ''}`);
  }
}

function tryLock() {
  try {
    mkdirSync(LOCK_DIR);
    return true;
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
    try {
      if (Date.now() - statSync(LOCK_DIR).mtimeMs > STALE_LOCK_MS) rmSync(LOCK_DIR, { recursive: true, force: true });
    } catch {
      // The holder released the lock between the two calls.
    }
    return false;
  }
}

/** Loads each native package in a child process and warns about those that fail, because the harness then cannot open that peer. */
function warnAboutUnloadableBinaries() {
  for (const name of installedNativePackages()) {
    const result = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(name)})`], { cwd: PEERS_DIR, encoding: 'utf8' });
    if (result.status !== 0) {
      const reason = result.stderr.split('\n').find((line) => line.startsWith('Error')) ?? `exit code ${result.status}`;
      console.warn(`warning: ${name} is installed but fails to load, so its peer cannot run here: ${reason}`);
    }
  }
}

function checkNoPostinstallArtifacts() {
  const found = POSTINSTALL_ARTIFACTS.filter((name) => existsSync(join(PEERS_DIR, name)));
  if (found.length > 0) {
    throw new Error(`install left ${found.join(', ')} in ${PEERS_DIR}: an install script ran that should not have; delete them and report it`);
  }
}

/** Installs the peers when any is missing or has the wrong version; returns true when it changed anything. */
export async function installPeers() {
  let changed = false;
  while (packagesToInstall().length > 0 || binariesToBuild().length > 0) {
    if (!tryLock()) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      continue;
    }
    try {
      const missing = packagesToInstall();
      if (missing.length > 0) {
        console.log(`installing peer packages: ${missing.join(', ')}`);
        const command = existsSync(join(PEERS_DIR, 'package-lock.json')) ? 'ci' : 'install';
        npm([command, '--ignore-scripts', '--legacy-peer-deps', '--no-audit', '--no-fund']);
      }
      const unbuilt = binariesToBuild();
      if (unbuilt.length > 0) npm(['rebuild', ...unbuilt]);
      changed = true;
    } finally {
      rmSync(LOCK_DIR, { recursive: true, force: true });
    }
  }
  checkNoPostinstallArtifacts();
  if (changed) warnAboutUnloadableBinaries();
  return changed;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const changed = await installPeers();
  console.log(changed ? 'peer stores installed' : 'peer stores already installed');
}
