/**
 * Ctrl-C for long commands: the first SIGINT says what will be kept and aborts the work's signal, so
 * the use case stops at its next safe point; the second one is Node's default (quit now).
 */
import { log } from './output.js';

export async function untilInterrupted<T>(
  whatHappens: string,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const abort = new AbortController();
  const onInterrupt = () => {
    log(`alpha15: ${whatHappens} (Ctrl-C again to quit now)`);
    abort.abort();
    process.off('SIGINT', onInterrupt);
  };
  process.on('SIGINT', onInterrupt);
  try {
    return await run(abort.signal);
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
