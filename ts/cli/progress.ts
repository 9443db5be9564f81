/** A progress bar on stderr while indexing, shown only when stderr is a terminal. */

import cliProgress from 'cli-progress';

import type { IndexProgress } from '../indexer/index-directory.js';

export function createProgressReporter(): { update: (progress: IndexProgress) => void; stop: () => void } {
  if (!process.stderr.isTTY) {
    return { update: () => {}, stop: () => {} };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'indexing [{bar}] {percentage}% | {value}/{total} files | {file}',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update({ done, total, file }) {
      if (!started) {
        bar.start(total, done, { file });
        started = true;
      }
      bar.update(done, { file: file.length > 40 ? '…' + file.slice(-39) : file });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
