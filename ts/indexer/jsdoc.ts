/**
 * Extraction of leading JSDoc comments as plain text.
 */
import ts from 'typescript';

/** Maximum length in UTF-16 code units of a description taken from JSDoc. */
export const MAX_DESCRIPTION_LENGTH = 500;

/**
 * Returns the text of the last `/** … *\/` comment in the leading trivia of `node`, with the
 * comment markers and the leading `*` of each line removed and the result trimmed. Returns
 * undefined when there is no such comment or it is blank. Longer texts are cut to
 * {@link MAX_DESCRIPTION_LENGTH}.
 */
export function leadingJsDocText(sourceText: string, node: ts.Node): string | undefined {
  const ranges = ts.getLeadingCommentRanges(sourceText, node.pos);
  if (ranges === undefined) {
    return undefined;
  }
  for (let index = ranges.length - 1; index >= 0; index--) {
    const range = ranges[index];
    if (range !== undefined && isJsDocComment(sourceText, range)) {
      return cleanJsDoc(sourceText.slice(range.pos + 3, range.end - 2));
    }
  }
  return undefined;
}

function isJsDocComment(sourceText: string, range: ts.CommentRange): boolean {
  return (
    range.kind === ts.SyntaxKind.MultiLineCommentTrivia &&
    range.end - range.pos >= 5 &&
    sourceText.startsWith('/**', range.pos) &&
    sourceText[range.pos + 3] !== '/'
  );
}

function cleanJsDoc(body: string): string | undefined {
  const lines = body.split(/\r\n|\r|\n/).map((line) => line.replace(/^\s*\*? ?/, '').trimEnd());
  const text = lines.join('\n').trim();
  if (text === '') {
    return undefined;
  }
  return truncate(text, MAX_DESCRIPTION_LENGTH);
}

function truncate(text: string, maxLength: number): string {
  if (text.length <= maxLength) {
    return text;
  }
  const cut = text.slice(0, maxLength);
  const lastCode = cut.charCodeAt(cut.length - 1);
  const endsInHighSurrogate = lastCode >= 0xd800 && lastCode <= 0xdbff;
  return endsInHighSurrogate ? cut.slice(0, -1) : cut;
}
