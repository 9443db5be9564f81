/**
 * Statement patterns of bundled, older and CommonJS JavaScript that declare module-level names:
 * immediately invoked function bodies, `exports.name = …` and `module.exports = …`.
 */
import ts from 'typescript';
import { dottedNameParts, isFunctionValue, skipExpressionWrappers } from './syntax.js';
import { expressionContext, type WalkContext, type WalkerHost } from './walk-context.js';

/**
 * Handles the body of an immediately invoked function as declarations of the current scope, and
 * `exports.name = function …` or `module.exports.name = …` as an exported function or class.
 * Records the local names that `module.exports = …` exports. Returns false when the statement's
 * children still need the ordinary walk.
 */
export function visitScriptPatternStatement(
  host: WalkerHost,
  node: ts.ExpressionStatement,
  context: WalkContext,
): boolean {
  const expression = skipExpressionWrappers(node.expression);
  if (ts.isCallExpression(expression) || ts.isPrefixUnaryExpression(expression) || ts.isVoidExpression(expression)) {
    return visitInvokedFunction(host, expression, context);
  }
  if (
    ts.isBinaryExpression(expression) &&
    expression.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
    ts.isPropertyAccessExpression(expression.left)
  ) {
    if (isModuleExports(expression.left)) {
      recordModuleExports(host, expression.right, context);
      return false;
    }
    return visitExportsAssignment(host, node, expression.left, expression.right, context);
  }
  return false;
}

/**
 * Queues the statements of `(function () { … })()`, `(() => { … })()`, `!function () { … }()`
 * and `(function () { … }).call(this)` at the current declaration level.
 */
function visitInvokedFunction(
  host: WalkerHost,
  expression: ts.CallExpression | ts.PrefixUnaryExpression | ts.VoidExpression,
  context: WalkContext,
): boolean {
  let call: ts.Expression = expression;
  if (ts.isPrefixUnaryExpression(call)) {
    call = skipExpressionWrappers(call.operand);
  } else if (ts.isVoidExpression(call)) {
    call = skipExpressionWrappers(call.expression);
  }
  if (!ts.isCallExpression(call)) {
    return false;
  }
  let callee = skipExpressionWrappers(call.expression);
  if (
    ts.isPropertyAccessExpression(callee) &&
    (callee.name.text === 'call' || callee.name.text === 'apply')
  ) {
    callee = skipExpressionWrappers(callee.expression);
  }
  if (!isFunctionValue(callee) || !ts.isBlock(callee.body)) {
    return false;
  }

  const innerContext = expressionContext(context);
  host.pushAll(call.arguments, innerContext);
  host.pushAll(callee.body.statements, context);
  host.pushAll(callee.parameters, innerContext);
  return true;
}

/** Adds the function or class assigned by `exports.name = …` or `module.exports.name = …`. */
function visitExportsAssignment(
  host: WalkerHost,
  statement: ts.ExpressionStatement,
  target: ts.PropertyAccessExpression,
  assigned: ts.Expression,
  context: WalkContext,
): boolean {
  const parts = dottedNameParts(target);
  const isExportsTarget =
    parts !== undefined &&
    ((parts.length === 2 && parts[0] === 'exports') ||
      (parts.length === 3 && parts[0] === 'module' && parts[1] === 'exports'));
  if (!isExportsTarget || !ts.isIdentifier(target.name)) {
    return false;
  }
  const name = target.name.text;
  const value = skipExpressionWrappers(assigned);
  if (ts.isClassExpression(value)) {
    host.visitClass(value, name, context, { lineNode: target.name, docNode: statement, exported: true });
    return true;
  }
  if (!isFunctionValue(value)) {
    return false;
  }
  host.addFunctionValue(context, value, assigned, {
    name,
    node: statement,
    lineNode: target.name,
    docNode: statement,
    exported: true,
  });
  return true;
}

/** Records the local names exported by `module.exports = name` or `module.exports = { a, b: c }`. */
function recordModuleExports(host: WalkerHost, assigned: ts.Expression, context: WalkContext): void {
  const value = skipExpressionWrappers(assigned);
  if (ts.isIdentifier(value)) {
    host.state.localExports.push({ name: value.text, scope: context.scope });
    return;
  }
  if (!ts.isObjectLiteralExpression(value)) {
    return;
  }
  for (const property of value.properties) {
    let local: ts.Expression | undefined;
    if (ts.isShorthandPropertyAssignment(property)) {
      local = property.name;
    } else if (ts.isPropertyAssignment(property)) {
      local = skipExpressionWrappers(property.initializer);
    }
    if (local !== undefined && ts.isIdentifier(local)) {
      host.state.localExports.push({ name: local.text, scope: context.scope });
    }
  }
}

/** Returns whether `expression` is `module.exports`. */
function isModuleExports(expression: ts.PropertyAccessExpression): boolean {
  const parts = dottedNameParts(expression);
  return parts !== undefined && parts.length === 2 && parts[0] === 'module' && parts[1] === 'exports';
}
