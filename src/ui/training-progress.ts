/**
 * The progress of a training run on stderr. On a terminal, a bar: samples of the current fold over all
 * its planned epochs (early stopping may end it sooner), with ETA, the last batch loss and the last
 * validation IC. Elsewhere (a log file, CI, a pipe), where a bar prints nothing, one line per epoch.
 */
import cliProgress from 'cli-progress';
import type { TrainingProgress } from '../app/train-options.js';
import type { EpochRecord } from '../model/artifacts.js';

/** `writeLine` prints one line where no bar can (the CLI's `log`, which redacts credentials). */
export function trainingProgress(writeLine: (line: string) => void): TrainingProgress {
  return process.stderr.isTTY ? trainingProgressBar() : trainingProgressLines(writeLine);
}

/** One line per finished epoch, with an upper bound of the fold's remaining time. */
export function trainingProgressLines(writeLine: (line: string) => void): TrainingProgress {
  let foldLabel = '';
  let epochs = 0;
  return {
    startFold(fold, foldCount, epochCount) {
      foldLabel = foldCount > 1 ? `fold ${fold + 1}/${foldCount} ` : '';
      epochs = epochCount;
    },
    batch() {},
    epoch(record: EpochRecord) {
      const secondsPerEpoch = record.elapsedMs / 1000 / record.epoch;
      const remaining = Math.round(secondsPerEpoch * (epochs - record.epoch));
      writeLine(
        `train ${foldLabel}epoch ${record.epoch}/${epochs}: loss ${record.trainLoss.toFixed(4)}, ` +
          `val loss ${record.valLoss.toFixed(4)}, val IC ${Number.isFinite(record.meanIc) ? record.meanIc.toFixed(3) : '-'}` +
          `${record.improved ? ' (best so far)' : ''}, ${Math.round(secondsPerEpoch)} s/epoch, ` +
          `at most ${remaining} s left in this fold (early stopping may end it sooner)`,
      );
    },
    stop() {},
  };
}

function trainingProgressBar(): TrainingProgress {
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format:
        'train {fold} epoch {epoch} |{bar}| {percentage}% ETA {eta_formatted} loss {loss} val IC {valIc}',
      hideCursor: true,
      etaBuffer: 200,
    },
    cliProgress.Presets.shades_classic,
  );
  let samplesPerEpoch = 0;
  let epochs = 0;
  let active = false;
  let payload = { fold: '', epoch: '', loss: '-', valIc: '-' };
  return {
    startFold(fold, foldCount, epochCount) {
      if (active) bar.stop();
      active = false;
      epochs = epochCount;
      payload = {
        fold: foldCount > 1 ? `fold ${fold + 1}/${foldCount}` : '',
        epoch: `1/${epochs}`,
        loss: '-',
        valIc: '-',
      };
    },
    // the bar's total is set from the first batch, when the fold's sample count is known
    batch(epoch, samplesDone, perEpoch, loss) {
      if (!active) {
        samplesPerEpoch = perEpoch;
        bar.start(perEpoch * epochs, 0, payload);
        active = true;
      }
      payload = { ...payload, epoch: `${epoch}/${epochs}`, loss: loss.toFixed(4) };
      bar.update((epoch - 1) * samplesPerEpoch + samplesDone, payload);
    },
    epoch(record) {
      if (!active) return;
      payload = { ...payload, valIc: Number.isFinite(record.meanIc) ? record.meanIc.toFixed(3) : '-' };
      bar.update(record.epoch * samplesPerEpoch, payload);
    },
    stop() {
      if (active) bar.stop();
      active = false;
    },
  };
}
