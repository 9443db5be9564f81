/**
 * Small helpers over TypeScript syntax nodes, independent of the graph being built.
 */
import ts from 'typescript';

let syntaxKindNames: Map<ts.SyntaxKind, string> | undefined;

/**
 * Returns the name of a syntax kind, such as `MethodDeclaration`. Unlike `ts.SyntaxKind[kind]`,
 * it never returns a range marker such as `FirstStatement`, which shares its value with a real kind.
 */
export function syntaxKindName(kind: ts.SyntaxKind): string {
  if (syntaxKindNames === undefined) {
    syntaxKindNames = new Map();
    for (const [name, value] of Object.entries(ts.SyntaxKind)) {
      const isMarker = name.startsWith('First') || name.startsWith('Last');
      if (typeof value === 'number' && !isMarker && !syntaxKindNames.has(value)) {
        syntaxKindNames.set(value, name);
      }
    }
  }
  return syntaxKindNames.get(kind) ?? String(kind);
}

/** Returns whether `node` carries a modifier keyword of `kind`, such as `export` or `static`. */
export function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  if (!ts.canHaveModifiers(node)) {
    return false;
  }
  return ts.getModifiers(node)?.some((modifier) => modifier.kind === kind) ?? false;
}

/**
 * Returns the text of a property or member name: identifiers, `#private` names, string and
 * numeric literals as written, and computed names as `[expression]`.
 */
export function propertyNameText(name: ts.PropertyName, sourceFile: ts.SourceFile): string {
  if (ts.isComputedPropertyName(name)) {
    return '[' + name.expression.getText(sourceFile) + ']';
  }
  return name.text;
}

/** Strips parentheses, type assertions, `satisfies` and non-null assertions around an expression. */
export function skipExpressionWrappers(expression: ts.Expression): ts.Expression {
  let current = expression;
  for (;;) {
    if (
      ts.isParenthesizedExpression(current) ||
      ts.isAsExpression(current) ||
      ts.isSatisfiesExpression(current) ||
      ts.isNonNullExpression(current) ||
      ts.isTypeAssertionExpression(current)
    ) {
      current = current.expression;
    } else {
      return current;
    }
  }
}

/** Returns whether `node` is an arrow function or a function expression. */
export function isFunctionValue(node: ts.Node): node is ts.ArrowFunction | ts.FunctionExpression {
  return ts.isArrowFunction(node) || ts.isFunctionExpression(node);
}

/**
 * Returns the identifiers of a dotted name such as `a.b.c`, or undefined when `expression` is
 * anything else. Element access and calls in the chain make it undefined.
 */
export function dottedNameParts(expression: ts.Expression): string[] | undefined {
  const parts: string[] = [];
  let current = skipExpressionWrappers(expression);
  while (ts.isPropertyAccessExpression(current)) {
    if (!ts.isIdentifier(current.name)) {
      return undefined;
    }
    parts.push(current.name.text);
    current = skipExpressionWrappers(current.expression);
  }
  if (!ts.isIdentifier(current)) {
    return undefined;
  }
  parts.push(current.text);
  return parts.reverse();
}

/** Returns the 1-based line of the first token of `node`, skipping leading trivia and JSDoc. */
export function lineOf(node: ts.Node, sourceFile: ts.SourceFile): number {
  return sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1;
}

/**
 * Returns the number of lines in `text`. A final line break does not start another line, so
 * `"a\nb\n"` has 2 lines and the empty text has 0.
 */
export function countLines(text: string): number {
  if (text.length === 0) {
    return 0;
  }
  const breaks = text.match(/\r\n|\r|\n/g)?.length ?? 0;
  const endsWithBreak = text.endsWith('\n') || text.endsWith('\r');
  return endsWithBreak ? breaks : breaks + 1;
}
