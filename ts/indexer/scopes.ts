/**
 * Lexical scopes of declarations: the file, and each namespace or module declaration.
 */

/**
 * Names declared as entities directly in one file or namespace scope. Merged declarations of a
 * namespace (several `namespace ts { … }` blocks) share one scope object.
 */
export class Scope {
  /** Dot-joined names of the enclosing namespaces, or `''` for the file scope. */
  readonly qualifiedName: string;
  readonly parent: Scope | undefined;
  private readonly names = new Set<string>();

  constructor(qualifiedName: string, parent: Scope | undefined) {
    this.qualifiedName = qualifiedName;
    this.parent = parent;
  }

  /** Returns `name` prefixed with this scope's qualified name. */
  qualify(name: string): string {
    return this.qualifiedName === '' ? name : this.qualifiedName + '.' + name;
  }

  declare(name: string): void {
    this.names.add(name);
  }

  has(name: string): boolean {
    return this.names.has(name);
  }

  /**
   * Returns the innermost scope, starting from this one and moving outward, that declares `name`.
   */
  findDeclaring(name: string): Scope | undefined {
    for (let scope: Scope | undefined = this; scope !== undefined; scope = scope.parent) {
      if (scope.has(name)) {
        return scope;
      }
    }
    return undefined;
  }
}

/**
 * Local name bound by an import or `require()` of a file in the indexed root. `importedName` is the
 * exported name it refers to, or `''` when it binds the whole module (`import * as m`, `const m =
 * require('./m')`).
 */
export interface ImportBinding {
  filePath: string;
  importedName: string;
}
