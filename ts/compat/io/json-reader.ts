/**
 * Streaming reader of yata-local's JSON exports, version 1.0 and 2.0: a top-
 * level object whose `entities` and `relationships` arrays are yielded one
 * element at a time.
 *
 * A small scanner finds where each array element starts and ends (tracking
 * brackets and strings) and hands only that element's text to `JSON.parse`.
 * Memory therefore contains one element and one read chunk, never the whole
 * file.
 * Other top-level members (`version`, `exportedAt`, `stats`, …) are checked
 * for syntax and skipped.
 */

import { InvalidInputError } from '../../errors.js';
import type { GraphRecord } from './records-input.js';

type State =
  | 'root'
  | 'first-key'
  | 'key'
  | 'colon'
  | 'value'
  | 'first-element'
  | 'element'
  | 'after-element'
  | 'after-value'
  | 'done';

const ARRAY_KINDS: Record<string, GraphRecord['kind']> = { entities: 'entity', relationships: 'relationship' };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/** Returns true for characters that end a number or literal (`true`, `false`, `null`). */
function endsScalar(code: number): boolean {
  return isWhitespace(code) || code === 0x2c || code === 0x5d || code === 0x7d;
}

/** Resumable scanner over a growing text buffer. */
class JsonGraphScanner {
  #buffer = '';
  #pos = 0;
  /** Characters dropped from the front of the buffer, for error positions. */
  #dropped = 0;
  #state: State = 'root';
  #key = '';
  #arrayKind: GraphRecord['kind'] | undefined;
  readonly #counts = { entity: 0, relationship: 0 };

  // Progress of the value being scanned; `#valueStart` is -1 when none is.
  #valueStart = -1;
  #scanPos = 0;
  #depth = 0;
  #inString = false;
  #escaped = false;

  readonly #source: string;

  constructor(source: string) {
    this.#source = source;
  }

  /** Appends text and returns the records completed by it. */
  push(text: string, records: GraphRecord[]): void {
    this.#buffer += text;
    this.#run(records, false);
    const keepFrom = this.#valueStart >= 0 ? this.#valueStart : this.#pos;
    if (keepFrom > 0) {
      this.#buffer = this.#buffer.slice(keepFrom);
      this.#dropped += keepFrom;
      this.#pos -= keepFrom;
      this.#scanPos -= keepFrom;
      if (this.#valueStart >= 0) this.#valueStart -= keepFrom;
    }
  }

  /** Processes the end of input; fails when the document is incomplete. */
  end(records: GraphRecord[]): void {
    this.#run(records, true);
    if (this.#state !== 'done') {
      throw this.#error(this.#state === 'root' ? 'the input is empty; expected a JSON object' : 'the JSON ends early');
    }
  }

  #run(records: GraphRecord[], final: boolean): void {
    for (;;) {
      if (this.#valueStart >= 0) {
        const text = this.#scanValue(final);
        if (text === undefined) return;
        this.#valueDone(text, records);
        continue;
      }
      if (!this.#skipWhitespace()) return;
      const code = this.#buffer.charCodeAt(this.#pos);
      const char = this.#buffer[this.#pos] as string;
      switch (this.#state) {
        case 'root':
          if (code === 0xfeff && this.#dropped + this.#pos === 0) {
            this.#pos++;
            continue;
          }
          this.#expect(char === '{', 'expected "{" at the start of a yata-local JSON export');
          this.#state = 'first-key';
          break;
        case 'first-key':
        case 'key':
          if (char === '}' && this.#state === 'first-key') {
            this.#pos++;
            this.#state = 'done';
            continue;
          }
          this.#expect(code === QUOTE, 'expected a quoted member name');
          this.#startValue();
          continue;
        case 'colon':
          this.#expect(char === ':', 'expected ":" after a member name');
          this.#state = 'value';
          break;
        case 'value':
          this.#arrayKind = Object.hasOwn(ARRAY_KINDS, this.#key) ? ARRAY_KINDS[this.#key] : undefined;
          if (this.#arrayKind !== undefined) {
            this.#expect(char === '[', `expected "${this.#key}" to be an array`);
            this.#state = 'first-element';
            break;
          }
          this.#startValue();
          continue;
        case 'first-element':
          if (char === ']') {
            this.#pos++;
            this.#state = 'after-value';
            continue;
          }
          this.#startValue();
          continue;
        case 'element':
          this.#startValue();
          continue;
        case 'after-element':
          this.#expect(char === ',' || char === ']', `expected "," or "]" in the "${this.#key}" array`);
          this.#state = char === ',' ? 'element' : 'after-value';
          break;
        case 'after-value':
          this.#expect(char === ',' || char === '}', 'expected "," or "}" after a member');
          this.#state = char === ',' ? 'key' : 'done';
          break;
        case 'done':
          throw this.#error('unexpected text after the end of the JSON object');
      }
      this.#pos++;
    }
  }

  /** Skips whitespace; returns false when the buffer is used up. */
  #skipWhitespace(): boolean {
    while (this.#pos < this.#buffer.length && isWhitespace(this.#buffer.charCodeAt(this.#pos))) this.#pos++;
    return this.#pos < this.#buffer.length;
  }

  #startValue(): void {
    this.#valueStart = this.#pos;
    this.#scanPos = this.#pos;
    this.#depth = 0;
    this.#inString = false;
    this.#escaped = false;
  }

  /** Advances over the current value; returns its text once complete, or undefined to wait for more input. */
  #scanValue(final: boolean): string | undefined {
    const buffer = this.#buffer;
    const first = buffer.charCodeAt(this.#valueStart);
    const compound = first === 0x7b || first === 0x5b || first === QUOTE;
    let i = this.#scanPos;

    if (!compound) {
      while (i < buffer.length && !endsScalar(buffer.charCodeAt(i))) i++;
      if (i === buffer.length && !final) {
        this.#scanPos = i;
        return undefined;
      }
      return this.#takeValue(i);
    }

    for (; i < buffer.length; i++) {
      const code = buffer.charCodeAt(i);
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (code === BACKSLASH) this.#escaped = true;
        else if (code === QUOTE) {
          this.#inString = false;
          if (this.#depth === 0) return this.#takeValue(i + 1);
        }
      } else if (code === QUOTE) {
        this.#inString = true;
      } else if (code === 0x7b || code === 0x5b) {
        this.#depth++;
      } else if (code === 0x7d || code === 0x5d) {
        this.#depth--;
        if (this.#depth === 0) return this.#takeValue(i + 1);
      }
    }
    this.#scanPos = i;
    return undefined;
  }

  #takeValue(end: number): string {
    const text = this.#buffer.slice(this.#valueStart, end);
    this.#pos = end;
    this.#valueStart = -1;
    return text;
  }

  #valueDone(text: string, records: GraphRecord[]): void {
    const at = this.#dropped + this.#pos - text.length;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw this.#error(`invalid JSON value: ${(error as Error).message}`, at);
    }
    switch (this.#state) {
      case 'first-key':
      case 'key':
        this.#key = value as string;
        this.#state = 'colon';
        return;
      case 'value':
        this.#state = 'after-value';
        return;
      default: {
        const kind = this.#arrayKind as GraphRecord['kind'];
        records.push({ kind, index: this.#counts[kind]++, value });
        this.#state = 'after-element';
      }
    }
  }

  #expect(condition: boolean, reason: string): void {
    if (!condition) throw this.#error(reason);
  }

  #error(reason: string, at = this.#dropped + this.#pos): InvalidInputError {
    return new InvalidInputError('input', this.#source, `is not a valid JSON export at character ${at}: ${reason}`);
  }
}

/**
 * Yields the entities and relationships of a JSON export in file order.
 * `source` names the input in error messages. Fails with
 * `InvalidInputError` at the first syntax error; records before it have
 * already been yielded.
 */
export async function* readJsonGraph(chunks: AsyncIterable<string>, source: string): AsyncGenerator<GraphRecord> {
  const scanner = new JsonGraphScanner(source);
  const records: GraphRecord[] = [];
  for await (const chunk of chunks) {
    scanner.push(chunk, records);
    yield* records.splice(0);
  }
  scanner.end(records);
  yield* records.splice(0);
}
