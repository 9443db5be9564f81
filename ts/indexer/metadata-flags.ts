/**
 * Boolean and optional facts about a declaration, as entity metadata.
 */
import ts from 'typescript';
import { hasModifier } from './syntax.js';

/** Returns `async` and `generator` flags of a function-like node, omitting false ones. */
export function functionFlags(node: ts.FunctionLikeDeclaration): Record<string, unknown> {
  return flagsOf({
    async: hasModifier(node, ts.SyntaxKind.AsyncKeyword),
    generator: node.asteriskToken !== undefined,
  });
}

/** Returns `flags` without the entries that are false or undefined, to keep metadata small. */
export function flagsOf(flags: Record<string, unknown>): Record<string, unknown> {
  const setFlags: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flags)) {
    if (value !== false && value !== undefined) {
      setFlags[key] = value;
    }
  }
  return setFlags;
}

/** Returns `{ default: true }` for an `export default` declaration, else an empty object. */
export function defaultFlag(node: ts.Node): Record<string, unknown> {
  return hasModifier(node, ts.SyntaxKind.DefaultKeyword) ? { default: true } : {};
}
