/**
 * State shared by the two passes of one file's extraction: the declaration walk, which records
 * references, and the resolution of those references once every declaration is known.
 */
import type ts from 'typescript';
import type { GraphBuilder } from './graph-builder.js';
import type { SourceLanguage } from './module-paths.js';
import type { ImportBinding, Scope } from './scopes.js';

/** Call, `new` or tagged template expression waiting for its callee to be resolved. */
export interface CallSite {
  callee: ts.Expression;
  isNew: boolean;
  scope: Scope;
  /** Qualified name of the class that `this` refers to at the call, if known. */
  thisClass: string | undefined;
  callerId: string;
}

/** Name in an `extends` or `implements` clause, waiting to be resolved. */
export interface HeritageReference {
  sourceId: string;
  sourceType: 'class' | 'interface';
  type: 'extends' | 'implements';
  expression: ts.Expression;
  scope: Scope;
}

/** Name listed in `export { name }` or `export default name` without a module specifier. */
export interface LocalExport {
  name: string;
  scope: Scope;
}

export interface ExtractionState {
  relPath: string;
  sourceFile: ts.SourceFile;
  sourceText: string;
  language: SourceLanguage;
  knownFiles: ReadonlySet<string>;
  builder: GraphBuilder;
  fileScope: Scope;
  /** Namespace scopes by qualified name, so that merged declarations share one scope. */
  scopes: Map<string, Scope>;
  /** Import bindings of the file scope by local name. */
  imports: Map<string, ImportBinding>;
  callSites: CallSite[];
  heritage: HeritageReference[];
  localExports: LocalExport[];
}
