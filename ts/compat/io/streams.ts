/** Text input and buffered, back-pressured text output for the file formats. */

import { createReadStream } from 'node:fs';
import type { Readable, Writable } from 'node:stream';

/** A file path, or a stream or async iterable of UTF-8 bytes or strings. */
export type GraphInput = string | Readable | AsyncIterable<string | Uint8Array>;

const READ_CHUNK_BYTES = 1 << 20;

/** Yields the input as decoded text chunks; a multi-byte character split across chunks is kept whole. */
export async function* textChunks(input: GraphInput): AsyncGenerator<string> {
  const source: AsyncIterable<string | Uint8Array> =
    typeof input === 'string' ? createReadStream(input, { highWaterMark: READ_CHUNK_BYTES }) : input;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const chunk of source) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

const FLUSH_CHARS = 1 << 16;

/** Collects small strings and writes them to `stream` in large pieces, waiting for 'drain' when its buffer is full. */
export class TextSink {
  readonly #stream: Writable;
  #parts: string[] = [];
  #pending = 0;
  /** UTF-8 bytes written so far. */
  bytes = 0;

  constructor(stream: Writable) {
    this.#stream = stream;
  }

  async write(text: string): Promise<void> {
    this.#parts.push(text);
    this.#pending += text.length;
    if (this.#pending >= FLUSH_CHARS) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#parts.length === 0) return;
    const text = this.#parts.join('');
    this.#parts = [];
    this.#pending = 0;
    const buffer = Buffer.from(text, 'utf8');
    this.bytes += buffer.length;
    if (!this.#stream.write(buffer)) await waitForDrain(this.#stream);
  }

  /** Flushes and ends the stream, resolving once the data is handed to the file system. */
  async end(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve, reject) => {
      this.#stream.once('error', reject);
      this.#stream.end(() => resolve());
    });
  }
}

function waitForDrain(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      stream.off('error', onError);
      resolve();
    };
    const onError = (error: Error) => {
      stream.off('drain', onDrain);
      reject(error);
    };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
}
