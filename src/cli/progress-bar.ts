/**
 * A bar on stderr over a known number of steps, for commands whose core reports progress as counts
 * (cli-progress prints nothing without a TTY, so --json output and logs stay clean).
 */
import cliProgress from 'cli-progress';

export interface CountBar {
  /** `done` of `total` steps, and a short note on the latest one. */
  update(done: number, total: number, note: string): void;
  stop(): void;
}

export function countBar(label: string, unit: string): CountBar {
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: `${label} |{bar}| {value}/{total} ${unit}  {note}`, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: (done, total, note) => {
      if (!started) {
        bar.start(total, 0, { note });
        started = true;
      }
      bar.setTotal(total);
      bar.update(done, { note });
    },
    stop: () => {
      if (started) bar.stop();
      started = false;
    },
  };
}
