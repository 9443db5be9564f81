/**
 * A streaming tokenizer for the XML that GraphML files use: elements,
 * attributes, text, CDATA, comments, processing instructions and a DOCTYPE
 * (skipped). It resolves the five predefined entities and character
 * references and normalizes line ends as XML 1.0 requires. It does not
 * check well-formedness beyond what the GraphML reader needs, and it rejects
 * other entity references because it reads no DTD.
 */

import { InvalidInputError } from '../../errors.js';

export type XmlToken =
  | { type: 'open'; name: string; attributes: Record<string, string>; selfClosing: boolean }
  | { type: 'close'; name: string }
  | { type: 'text'; text: string };

const PREDEFINED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Characters in an attribute value that XML normalizes to a space. */
const ATTRIBUTE_WHITESPACE = /\r\n|[\t\n\r]/g;
const ATTRIBUTE = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

export class XmlTokenizer {
  #buffer = '';
  /** Characters dropped from the front of the buffer, for error positions. */
  #dropped = 0;
  readonly #source: string;

  constructor(source: string) {
    this.#source = source;
  }

  /** Appends text and returns the tokens completed by it. */
  push(text: string, tokens: XmlToken[], final = false): void {
    this.#buffer += text;
    let pos = 0;
    const buffer = this.#buffer;
    for (;;) {
      const open = buffer.indexOf('<', pos);
      if (open < 0) break;
      if (open > pos) tokens.push({ type: 'text', text: this.#decodeText(buffer.slice(pos, open), pos) });
      const end = this.#markupEnd(buffer, open, final);
      if (end < 0) {
        pos = open;
        break;
      }
      this.#markup(buffer.slice(open, end), open, tokens);
      pos = end;
      if (pos === buffer.length) break;
    }
    // Text after the last markup stays buffered until the next '<' shows where it ends.
    this.#buffer = buffer.slice(pos);
    this.#dropped += pos;
  }

  /** Fails when the input ends inside markup. */
  end(tokens: XmlToken[]): void {
    this.push('', tokens, true);
    if (this.#buffer.includes('<')) throw this.#error('the XML ends inside a tag, comment or CDATA section', 0);
    if (this.#buffer.trim()) tokens.push({ type: 'text', text: this.#decodeText(this.#buffer, 0) });
    this.#buffer = '';
  }

  /** Returns the index just past the markup starting at `open`, or -1 when it is not complete yet. */
  #markupEnd(buffer: string, open: number, final: boolean): number {
    const endOf = (terminator: string, from: number) => {
      const at = buffer.indexOf(terminator, from);
      return at < 0 ? -1 : at + terminator.length;
    };
    if (buffer.startsWith('<!--', open)) return endOf('-->', open + 4);
    if (buffer.startsWith('<![CDATA[', open)) return endOf(']]>', open + 9);
    if (buffer.startsWith('<?', open)) return endOf('?>', open + 2);
    if (buffer.startsWith('<!', open)) {
      // Too short to tell a comment or CDATA section from a DOCTYPE yet.
      if (buffer.length - open < 9 && !final) return -1;
      // A DOCTYPE may hold an internal subset in brackets, which may hold '>'.
      let depth = 0;
      for (let i = open + 2; i < buffer.length; i++) {
        const char = buffer[i];
        if (char === '[') depth++;
        else if (char === ']') depth--;
        else if (char === '>' && depth <= 0) return i + 1;
      }
      return -1;
    }
    let quote = '';
    for (let i = open + 1; i < buffer.length; i++) {
      const char = buffer[i] as string;
      if (quote) {
        if (char === quote) quote = '';
      } else if (char === '"' || char === "'") {
        quote = char;
      } else if (char === '>') {
        return i + 1;
      }
    }
    return -1;
  }

  #markup(markup: string, at: number, tokens: XmlToken[]): void {
    if (markup.startsWith('<![CDATA[')) {
      tokens.push({ type: 'text', text: normalizeLineEnds(markup.slice(9, -3)) });
      return;
    }
    if (markup.startsWith('<!') || markup.startsWith('<?')) return;
    if (markup.startsWith('</')) {
      tokens.push({ type: 'close', name: localName(markup.slice(2, -1).trim()) });
      return;
    }

    const selfClosing = markup.endsWith('/>');
    const body = markup.slice(1, selfClosing ? -2 : -1);
    const nameMatch = /^[^\s/>]+/.exec(body);
    if (!nameMatch) throw this.#error(`invalid tag ${JSON.stringify(markup.slice(0, 40))}`, at);
    const attributes: Record<string, string> = {};
    for (const match of body.slice(nameMatch[0].length).matchAll(ATTRIBUTE)) {
      const raw = (match[2] ?? match[3] ?? '').replace(ATTRIBUTE_WHITESPACE, ' ');
      attributes[match[1] as string] = this.#decodeReferences(raw, at);
    }
    tokens.push({ type: 'open', name: localName(nameMatch[0]), attributes, selfClosing });
  }

  #decodeText(text: string, at: number): string {
    return this.#decodeReferences(normalizeLineEnds(text), at);
  }

  #decodeReferences(text: string, at: number): string {
    if (!text.includes('&')) return text;
    return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z][\w.-]*);?/g, (whole, name: string) => {
      if (!whole.endsWith(';')) throw this.#error(`the reference ${JSON.stringify(whole)} lacks its closing ';'`, at);
      if (name.startsWith('#')) {
        const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        if (!Number.isFinite(code) || code > 0x10ffff) throw this.#error(`invalid character reference ${whole}`, at);
        return String.fromCodePoint(code);
      }
      const value = PREDEFINED_ENTITIES[name];
      if (value === undefined) throw this.#error(`unknown entity ${whole}; only the five predefined XML entities are read`, at);
      return value;
    });
  }

  #error(reason: string, at: number): InvalidInputError {
    return new InvalidInputError('input', this.#source, `is not valid GraphML near character ${this.#dropped + at}: ${reason}`);
  }
}

function normalizeLineEnds(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

/** Drops a namespace prefix: `g:node` → `node`. */
function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}
