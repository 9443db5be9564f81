import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { listSourceFiles } from '../ts/indexer/files.js';
import { languageOf, modulePathOf, resolveRelativeSpecifier } from '../ts/indexer/module-paths.js';

describe('listSourceFiles', () => {
  let root = '';

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'indexer-files-'));
    const files = [
      'a.ts',
      'B.ts',
      'types.d.ts',
      'm.mjs',
      'c.cjs',
      'v.jsx',
      'w.tsx',
      'x.mts',
      'y.cts',
      'notes.md',
      'data.json',
      'sub/deep/z.js',
      '.hidden/h.ts',
      'node_modules/pkg/index.js',
      'node_modules/pkg/lib/util.d.ts',
      'sub/node_modules/skip.ts',
      '.git/hooks/hook.js',
    ];
    for (const file of files) {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), '');
    }
    symlinkSync(join(root, 'sub'), join(root, 'linked-dir'));
    symlinkSync(join(root, 'a.ts'), join(root, 'linked-file.ts'));
    symlinkSync(join(root, 'missing.ts'), join(root, 'dangling.ts'));
    symlinkSync(join(root, 'loop.ts'), join(root, 'loop.ts'));
  });

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('lists sorted source files', () => {
    expect(listSourceFiles(root)).toEqual([
      '.hidden/h.ts',
      'B.ts',
      'a.ts',
      'c.cjs',
      'linked-file.ts',
      'm.mjs',
      'sub/deep/z.js',
      'types.d.ts',
      'v.jsx',
      'w.tsx',
      'x.mts',
      'y.cts',
    ]);
  });

  it('indexes a root inside node_modules', () => {
    expect(listSourceFiles(join(root, 'node_modules', 'pkg'))).toEqual(['index.js', 'lib/util.d.ts']);
  });

  it('throws for a missing root', () => {
    expect(() => listSourceFiles(join(root, 'nope'))).toThrow(/ENOENT/);
  });
});

describe('module paths', () => {
  it('modulePathOf strips extensions', () => {
    expect(modulePathOf('src/utils/strings.ts')).toBe('src.utils.strings');
    expect(modulePathOf('lib/typescript.d.ts')).toBe('lib.typescript');
    expect(modulePathOf('lib.es2015.core.d.ts')).toBe('lib.es2015.core');
    expect(modulePathOf('a/b.d.mts')).toBe('a.b');
    expect(modulePathOf('app.cjs')).toBe('app');
  });

  it('languageOf by extension', () => {
    expect(languageOf('a.mjs')).toBe('javascript');
    expect(languageOf('a.jsx')).toBe('javascript');
    expect(languageOf('a.d.ts')).toBe('typescript');
    expect(languageOf('a.cts')).toBe('typescript');
  });

  it('resolveRelativeSpecifier candidates', () => {
    const known = new Set(['a.ts', 'lib/index.ts', 'lib/x.js', 'lib/x.d.ts', 'pkg/m.d.mts', 'index.js']);
    const cases: [string, string, string | undefined][] = [
      ['lib/x.js', '../a', 'a.ts'],
      ['a.ts', './lib', 'lib/index.ts'],
      ['a.ts', './lib/', 'lib/index.ts'],
      ['a.ts', './lib/x.js', 'lib/x.d.ts'],
      ['lib/index.ts', './x', 'lib/x.d.ts'],
      ['lib/index.ts', '.', 'lib/index.ts'],
      ['lib/index.ts', '..', 'index.js'],
      ['a.js', './lib/x.js', 'lib/x.js'],
      ['a.ts', './pkg/m.mjs', 'pkg/m.d.mts'],
      ['a.ts', '../a', undefined],
      ['a.ts', 'lib', undefined],
      ['a.ts', '/a.ts', undefined],
      ['a.ts', './nothing', undefined],
    ];
    for (const [from, specifier, expected] of cases) {
      expect(resolveRelativeSpecifier(from, specifier, known), `${from} ${specifier}`).toBe(expected);
    }
  });
});
