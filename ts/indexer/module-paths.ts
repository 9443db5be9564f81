/**
 * Path rules for source files: module paths, languages and relative import resolution.
 */
import ts from 'typescript';
import { posix } from 'node:path';

/** Source language recorded in entity metadata. */
export type SourceLanguage = 'typescript' | 'javascript';

const SOURCE_EXTENSION_PATTERN = /(?:\.d)?\.(?:ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;

/** Extensions appended to an import specifier, in the order they are tried. */
const RESOLVED_EXTENSIONS: readonly string[] = [
  '.ts',
  '.tsx',
  '.d.ts',
  '.mts',
  '.cts',
  '.js',
  '.jsx',
  '.mjs',
  '.cjs',
];

/**
 * TypeScript sources that a JavaScript extension in a specifier can stand for, because TypeScript
 * resolves `import './a.js'` to `a.ts` when that file exists.
 */
const TYPESCRIPT_SIBLINGS: ReadonlyMap<string, readonly string[]> = new Map([
  ['.js', ['.ts', '.tsx', '.d.ts']],
  ['.jsx', ['.tsx', '.d.ts']],
  ['.mjs', ['.mts', '.d.mts']],
  ['.cjs', ['.cts', '.d.cts']],
]);

/**
 * Returns the dotted module path of a file: the relative path without its source extension (and
 * without the `.d` of a declaration file), with `/` replaced by `.`. For example `src/a/b.ts`
 * becomes `src.a.b` and `lib/typescript.d.ts` becomes `lib.typescript`.
 */
export function modulePathOf(relPath: string): string {
  return relPath.replace(SOURCE_EXTENSION_PATTERN, '').replaceAll('/', '.');
}

/** Returns the language of a source file, judged by its extension. */
export function languageOf(relPath: string): SourceLanguage {
  return /\.(?:js|jsx|mjs|cjs)$/.test(relPath) ? 'javascript' : 'typescript';
}

/** Returns the script kind that the TypeScript parser should use for a source file. */
export function scriptKindOf(relPath: string): ts.ScriptKind {
  if (relPath.endsWith('.tsx')) {
    return ts.ScriptKind.TSX;
  }
  if (relPath.endsWith('.jsx')) {
    return ts.ScriptKind.JSX;
  }
  return languageOf(relPath) === 'javascript' ? ts.ScriptKind.JS : ts.ScriptKind.TS;
}

/** Returns whether `specifier` is relative (`.`, `..`, or starting with `./` or `../`). */
export function isRelativeSpecifier(specifier: string): boolean {
  return (
    specifier === '.' ||
    specifier === '..' ||
    specifier.startsWith('./') ||
    specifier.startsWith('../')
  );
}

/**
 * Resolves a relative import specifier written in `fromFile` to one of `knownFiles`, or returns
 * undefined. Bare package specifiers and paths that leave the indexed root never resolve.
 *
 * The candidates are tried in this order: the exact path, the TypeScript siblings of a JavaScript
 * extension, the path with each of {@link RESOLVED_EXTENSIONS} appended, and `index` plus each
 * extension inside the path as a directory. In a TypeScript file the siblings come before the exact
 * path, because TypeScript resolves `./a.js` to `a.ts` or `a.d.ts` even when `a.js` exists. Unlike
 * TypeScript, this ignores `package.json` and `paths` mappings.
 */
export function resolveRelativeSpecifier(
  fromFile: string,
  specifier: string,
  knownFiles: ReadonlySet<string>,
): string | undefined {
  if (!isRelativeSpecifier(specifier)) {
    return undefined;
  }
  const joined = posix.normalize(posix.join(posix.dirname(fromFile), specifier));
  if (joined === '..' || joined.startsWith('../')) {
    return undefined;
  }
  const base = joined === '.' ? '' : joined.replace(/\/$/, '');

  const siblingsFirst = languageOf(fromFile) === 'typescript';
  for (const candidate of candidatePaths(base, siblingsFirst)) {
    if (knownFiles.has(candidate)) {
      return candidate;
    }
  }
  return undefined;
}

function candidatePaths(base: string, siblingsFirst: boolean): string[] {
  const candidates: string[] = [];
  if (base !== '') {
    const extension = posix.extname(base);
    const stem = base.slice(0, base.length - extension.length);
    const siblings = (TYPESCRIPT_SIBLINGS.get(extension) ?? []).map((sibling) => stem + sibling);
    if (siblingsFirst) {
      candidates.push(...siblings, base);
    } else {
      candidates.push(base, ...siblings);
    }
    for (const extension of RESOLVED_EXTENSIONS) {
      candidates.push(base + extension);
    }
  }
  const indexStem = base === '' ? 'index' : base + '/index';
  for (const extension of RESOLVED_EXTENSIONS) {
    candidates.push(indexStem + extension);
  }
  return candidates;
}
