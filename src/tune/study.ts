/**
 * A tune study in the store, so Ctrl-C and a re-run continue where it stopped:
 *
 *   studies/<study>/study.json           the spec (space, sampler, seed, objective, pruner, folds, data,
 *                                         base config hash): written once, compared on every resume
 *   studies/<study>/trials/<NNNN>.json   one per finished or pruned trial, written once (putIfAbsent)
 *   studies/<study>/best-config.json     the best trial's config, usable with `train --config`
 *
 * A trial interrupted mid-training leaves no file and is run again, with the same params, on resume.
 */
import { STUDIES_PREFIX } from '../contracts/keys.js';
import { z } from 'zod';
import { Alpha15Error } from '../errors.js';
import type { ObjectStore } from '../store/object-store.js';
import { canonicalJson, configHash } from '../runs/run-record.js';
import { SAMPLER_NAMES } from './samplers.js';

export const STUDY_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export class StudyMismatchError extends Alpha15Error {
  readonly code = 'STUDY_MISMATCH';
}
export class CorruptStudyError extends Alpha15Error {
  readonly code = 'CORRUPT_STUDY';
}

const paramValue = z.union([z.number(), z.string(), z.boolean()]);
const metric = z.preprocess((value) => (value === null ? Number.NaN : value), z.union([z.number(), z.nan()]));

export const studySpecSchema = z.object({
  space: z.record(z.string(), z.unknown()),
  sampler: z.enum(SAMPLER_NAMES),
  seed: z.number().int(),
  objective: z.enum(['ic', 'rankIc']),
  folds: z.number().int().positive(),
  pruner: z
    .object({ minEpochs: z.number().int().positive(), reductionFactor: z.number().int().min(2) })
    .nullable(),
  /** The candles the study may use; the test period after them is held out. */
  tuning: z.object({ fromMs: z.number().int(), toMs: z.number().int() }),
  test: z.object({ fromMs: z.number().int(), toMs: z.number().int() }),
  baseConfigHash: z.string(),
});
export type StudySpec = z.infer<typeof studySpecSchema>;

export const trialRecordSchema = z.object({
  number: z.number().int().nonnegative(),
  /** Trial 0 runs the base config unchanged: the baseline every other trial is measured against. */
  baseline: z.boolean(),
  params: z.record(z.string(), paramValue),
  status: z.enum(['completed', 'pruned']),
  /** The objective: mean validation IC (or rank IC) over the folds; for a pruned trial, at the rung it stopped. */
  value: metric,
  ic: metric,
  rankIc: metric,
  /** The IC after every epoch of every fold, as ASHA compared it. */
  intermediate: z.array(z.object({ fold: z.number().int(), epoch: z.number().int(), value: metric })),
  epochs: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
  runId: z.string(),
});
export type TrialRecord = z.infer<typeof trialRecordSchema>;

export const studyKey = (study: string) => `${STUDIES_PREFIX}${study}/study.json`;
export const trialKey = (study: string, number: number) =>
  `${STUDIES_PREFIX}${study}/trials/${String(number).padStart(4, '0')}.json`;
export const bestConfigKey = (study: string) => `${STUDIES_PREFIX}${study}/best-config.json`;

/** The default study id: the spec's hash, so re-running the same command continues the same study. */
export function defaultStudyId(spec: StudySpec): string {
  return `study-${configHash(spec).slice(0, 12)}`;
}

/** Creates the study, or checks that the stored one has the same spec; returns its finished trials. */
export async function openStudy(store: ObjectStore, study: string, spec: StudySpec): Promise<TrialRecord[]> {
  const text = JSON.stringify(spec, null, 2);
  if (!(await store.putIfAbsent(studyKey(study), text))) {
    const stored = studySpecSchema.safeParse(parseJson(await store.get(studyKey(study)), studyKey(study)));
    if (!stored.success)
      throw new CorruptStudyError(`${studyKey(study)} in ${store.url} is not a study spec`);
    if (canonicalJson(stored.data) !== canonicalJson(spec)) {
      const differing = Object.keys(spec).filter(
        (key) =>
          canonicalJson(stored.data[key as keyof StudySpec]) !== canonicalJson(spec[key as keyof StudySpec]),
      );
      throw new StudyMismatchError(
        `study ${study} exists with another ${differing.join(', ')}`,
        'continue it with the same options, or start another study under a new id',
        { data: { reason: 'other-spec', study, differing } },
      );
    }
  }
  const trials: TrialRecord[] = [];
  for (const key of await store.list(`${STUDIES_PREFIX}${study}/trials/`)) {
    const parsed = trialRecordSchema.safeParse(parseJson(await store.get(key), key));
    if (!parsed.success)
      throw new CorruptStudyError(
        `${key} in ${store.url} is not a trial record`,
        'delete it to run that trial again',
      );
    trials.push(parsed.data);
  }
  trials.sort((a, b) => a.number - b.number);
  trials.forEach((trial, index) => {
    if (trial.number !== index)
      throw new CorruptStudyError(`study ${study} has no trial ${index} but has trial ${trial.number}`);
  });
  return trials;
}

export async function saveTrial(store: ObjectStore, study: string, trial: TrialRecord): Promise<void> {
  if (!(await store.putIfAbsent(trialKey(study, trial.number), JSON.stringify(trial, null, 2)))) {
    throw new StudyMismatchError(
      `trial ${trial.number} of study ${study} was recorded by another process meanwhile`,
      'run one tune process per study',
    );
  }
}

function parseJson(bytes: Uint8Array | undefined, key: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new CorruptStudyError(`${key} is not JSON`, 'delete it to run that part of the study again');
  }
}

export { STUDIES_PREFIX };
