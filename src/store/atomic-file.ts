/**
 * Local files a reader must never see half-written (reports, the runs page, a study's best config):
 * written beside their destination, then published with one rename.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export async function writeFileAtomically(filePath: string, text: string): Promise<void> {
  await mkdir(path.dirname(filePath), { recursive: true });
  const temp = `${filePath}.partial-${process.pid}`;
  await writeFile(temp, text);
  await rename(temp, filePath);
}
