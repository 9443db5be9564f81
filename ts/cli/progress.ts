/**
 * Progress display of `index` on stderr, shown only when stderr is a terminal: a bar while files
 * are extracted, then one status line per write step.
 *
 * The display hides the cursor. While it is shown, SIGINT and SIGTERM stop it, which shows the
 * cursor again, and exit with 130 or 143 (128 plus the signal number, as shells report).
 */

import cliProgress from 'cli-progress';

import type { IndexProgress, IndexStage } from '../indexer/index-directory.js';

export interface IndexProgressReporter {
  /** Shows the extraction bar at `progress`. */
  update(progress: IndexProgress): void;
  /** Replaces the bar with a status line for a step after extraction. */
  stage(stage: IndexStage): void;
  /** Clears the display, shows the cursor and removes the signal handlers. Safe to call twice. */
  stop(): void;
}

export interface ProgressReporterOptions {
  /** Defaults to `process.stderr`. */
  stream?: NodeJS.WriteStream;
  /** Called with the exit code after SIGINT or SIGTERM. Defaults to `process.exit`. */
  exit?: (code: number) => void;
}

const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type HandledSignal = keyof typeof SIGNAL_EXIT_CODES;

const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';
const CLEAR_LINE = '\r\x1b[2K';

const STAGE_LABELS: Record<IndexStage['step'], string> = {
  'deleting-entities': 'deleting {count} entities that the sources no longer declare…',
  'writing-entities': 'writing {count} entities…',
  'resolving-relationships': 'resolving {count} relationships…',
  'writing-relationships': 'writing {count} relationships…',
};

export function createProgressReporter(options: ProgressReporterOptions = {}): IndexProgressReporter {
  const stream = options.stream ?? process.stderr;
  if (!stream.isTTY) {
    return { update: () => {}, stage: () => {}, stop: () => {} };
  }
  const exit = options.exit ?? ((code: number) => process.exit(code));

  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'indexing [{bar}] {percentage}% | {value}/{total} files | {file}',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let barShown = false;
  let statusShown = false;
  let handlingSignals = false;

  const onSignal = (signal: HandledSignal): void => {
    stop();
    exit(SIGNAL_EXIT_CODES[signal]);
  };

  function handleSignals(): void {
    if (handlingSignals) return;
    handlingSignals = true;
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }

  function stopBar(): void {
    if (!barShown) return;
    bar.stop();
    barShown = false;
  }

  function stop(): void {
    stopBar();
    if (statusShown) {
      stream.write(CLEAR_LINE + SHOW_CURSOR);
      statusShown = false;
    }
    if (handlingSignals) {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      handlingSignals = false;
    }
  }

  return {
    update({ done, total, file }) {
      handleSignals();
      const shownFile = file.length > 40 ? '…' + file.slice(-39) : file;
      if (!barShown) {
        bar.start(total, done, { file: shownFile });
        barShown = true;
      }
      bar.update(done, { file: shownFile });
    },
    stage({ step, count }) {
      handleSignals();
      stopBar();
      stream.write(CLEAR_LINE + HIDE_CURSOR + STAGE_LABELS[step].replace('{count}', count.toLocaleString('en-US')));
      statusShown = true;
    },
    stop,
  };
}
