/**
 * Records which file paths a file's extraction looked up, so that a later run can tell whether
 * adding, deleting or renaming other files changes that extraction.
 *
 * `extractFile` depends on the file's text, its path and the results of the `knownFiles.has(path)`
 * calls that import resolution makes. A file whose text is unchanged must still be extracted again when
 * any of those answers changes, for example when `import './b'` starts to resolve because `b.ts`
 * was added.
 */

/** Metadata key of a file entity containing the {@link ImportLookups} of its extraction. */
export const IMPORT_LOOKUPS_KEY = 'importLookups';

/** Paths that import resolution looked up, split by whether they were in the file list. */
export interface ImportLookups {
  found: string[];
  missing: string[];
}

/**
 * The file list passed to `extractFile`, recording every `has` lookup. Iterating the set would
 * make the extraction depend on every path, so it sets {@link enumerated}, and the file is then
 * extracted again on every run.
 */
export class LookupRecordingSet implements ReadonlySet<string> {
  readonly #files: ReadonlySet<string>;
  readonly #found = new Set<string>();
  readonly #missing = new Set<string>();
  #enumerated = false;

  constructor(files: ReadonlySet<string>) {
    this.#files = files;
  }

  get size(): number {
    this.#enumerated = true;
    return this.#files.size;
  }

  has(path: string): boolean {
    const present = this.#files.has(path);
    (present ? this.#found : this.#missing).add(path);
    return present;
  }

  forEach(callback: (value: string, key: string, set: ReadonlySet<string>) => void, thisArg?: unknown): void {
    this.#enumerated = true;
    this.#files.forEach((value) => callback.call(thisArg, value, value, this));
  }

  entries(): SetIterator<[string, string]> {
    this.#enumerated = true;
    return this.#files.entries();
  }

  keys(): SetIterator<string> {
    this.#enumerated = true;
    return this.#files.keys();
  }

  values(): SetIterator<string> {
    this.#enumerated = true;
    return this.#files.values();
  }

  [Symbol.iterator](): SetIterator<string> {
    return this.values();
  }

  /** Whether the extraction read the whole list instead of looking up single paths. */
  get enumerated(): boolean {
    return this.#enumerated;
  }

  /** Returns the lookups recorded so far, or null after the list was enumerated. */
  lookups(): ImportLookups | null {
    if (this.#enumerated) return null;
    return { found: [...this.#found].sort(), missing: [...this.#missing].sort() };
  }
}

/**
 * Returns whether a file must be extracted again because one of its recorded lookups has another
 * result in `files`. Metadata without valid lookups (written by an older indexer, or
 * null after an enumeration) counts as changed.
 */
export function importLookupsChanged(metadata: Record<string, unknown>, files: ReadonlySet<string>): boolean {
  const lookups = metadata[IMPORT_LOOKUPS_KEY];
  if (!isImportLookups(lookups)) return true;
  return lookups.found.some((path) => !files.has(path)) || lookups.missing.some((path) => files.has(path));
}

function isImportLookups(value: unknown): value is ImportLookups {
  if (typeof value !== 'object' || value === null) return false;
  const { found, missing } = value as Record<string, unknown>;
  return isStringArray(found) && isStringArray(missing);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
