/**
 * The model registry on an ObjectStore: saves a trained model with everything needed to use it again
 * (weights, normalisation stats, config, metrics, meta), loads it back with every file validated, and
 * keeps the champion pointer. See artifacts.ts for the layout.
 *
 * A save writes meta.json last and every reader starts from meta.json, so a crash mid-save leaves
 * files no reader will ever see instead of a half model.
 */
import type * as tf from '@tensorflow/tfjs';
import { configSchema, type Config } from '../config/schema.js';
import { normStatsSchema, type NormStats } from '../features/normalise.js';
import type { Body, ObjectStore } from '../store/object-store.js';
import { CHAMPION_KEY, MODELS_PREFIX } from '../contracts/keys.js';
import { redactCredentialsDeep } from '../url-credentials.js';
import {
  championSchema,
  epochRecordSchema,
  MODEL_FILES,
  MODEL_ID_PATTERN,
  modelKey,
  modelMetaSchema,
  type ChampionPointer,
  type EpochRecord,
  type ModelMeta,
  type ModelMetaInput,
} from './artifacts.js';
import { sha256Hex } from '../checksum.js';
import { assertWeightsFinite, deserialiseModel, parseJson, serialiseModel } from './model-io.js';
import {
  ChampionDigestMismatchError,
  CorruptModelArtifactError,
  ModelFileExistsError,
  ModelDigestMismatchError,
  ModelNotFoundError,
  ModelShapeMismatchError,
  ModelSymbolsMismatchError,
} from './registry-errors.js';

export const CHAMPION = 'champion';

export interface SaveModelInput {
  meta: Omit<ModelMetaInput, 'formatVersion' | 'weightsByteLength'>;
  model: tf.LayersModel;
  stats: NormStats;
  config: Config;
  epochs: EpochRecord[];
  /** More files to publish with the model (e.g. thresholds.json), written before meta.json. */
  extraFiles?: Record<string, Body>;
}

/** A stored model, every file validated against the others. */
export interface StoredModel {
  meta: ModelMeta;
  stats: NormStats;
  config: Config;
  model: tf.LayersModel;
}

export interface LoadModelOptions {
  /** The symbols the caller will feed, in order; a model trained on others is rejected. */
  expectedSymbols?: readonly string[];
  /** The weights' sha256 a champion pointer carries (loading 'champion' takes it from the pointer). */
  weightsSha256?: string;
  /** meta.json as the caller read it (`readModelMeta`) for this model, so the load does not read it again. */
  meta?: ModelMeta;
}

const CORE_FILES = new Set<string>(Object.values(MODEL_FILES));
const FILE_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]*$/i;

export async function saveModel(store: ObjectStore, input: SaveModelInput): Promise<ModelMeta> {
  const { topologyJson, weights } = await serialiseModel(input.model);
  const files = new Map<string, Uint8Array>([
    [MODEL_FILES.topology, bytesOf(topologyJson)],
    [MODEL_FILES.weights, weights],
    [MODEL_FILES.stats, bytesOf(JSON.stringify(input.stats))],
    [MODEL_FILES.config, bytesOf(JSON.stringify(redactCredentialsDeep(input.config), null, 2))],
    [MODEL_FILES.metrics, bytesOf(toJsonLines(input.epochs))],
  ]);
  for (const [name, body] of Object.entries(input.extraFiles ?? {})) {
    files.set(assertExtraFileName(name), bytesOf(body));
  }
  const meta = modelMetaSchema.parse({
    ...input.meta,
    formatVersion: 1,
    weightsByteLength: weights.byteLength,
    files: Object.fromEntries([...files].map(([name, bytes]) => [name, sha256Hex(bytes)])),
  });
  for (const [name, bytes] of files) await createModelFile(store, meta.id, name, bytes);
  await createModelFile(store, meta.id, MODEL_FILES.meta, JSON.stringify(meta, null, 2));
  return meta;
}

/** The id a reference names: a model id as it is, or the champion's id for 'champion'. */
export async function resolveModelId(store: ObjectStore, idOrChampion: string): Promise<string> {
  return idOrChampion === CHAMPION ? (await requireChampion(store)).modelId : idOrChampion;
}

export async function readModelMeta(store: ObjectStore, modelId: string): Promise<ModelMeta> {
  if (!MODEL_ID_PATTERN.test(modelId)) throw new ModelNotFoundError(modelId);
  const bytes = await store.get(modelKey(modelId, MODEL_FILES.meta));
  if (bytes === undefined) throw new ModelNotFoundError(modelId);
  const meta = parseJson(modelId, MODEL_FILES.meta, bytes, modelMetaSchema);
  if (meta.id !== modelId)
    throw new CorruptModelArtifactError(modelId, MODEL_FILES.meta, `names another model (${meta.id})`);
  return meta;
}

/**
 * Loads a model by id or 'champion', checking every file against its digest in meta.json, shapes,
 * symbols and stats against meta.json, the weights for NaN, and the champion's weights against the
 * digest its pointer carries.
 */
export async function loadModel(
  store: ObjectStore,
  idOrChampion: string,
  options: LoadModelOptions = {},
): Promise<StoredModel> {
  const pointer = idOrChampion === CHAMPION ? await requireChampion(store) : undefined;
  const modelId = pointer?.modelId ?? idOrChampion;
  const meta = options.meta?.id === modelId ? options.meta : await readModelMeta(store, modelId);
  if (options.expectedSymbols !== undefined && options.expectedSymbols.join(',') !== meta.symbols.join(',')) {
    throw new ModelSymbolsMismatchError(modelId, meta.symbols, options.expectedSymbols);
  }
  const stats = parseJson(
    modelId,
    MODEL_FILES.stats,
    await requireFile(store, meta, MODEL_FILES.stats),
    normStatsSchema,
  );
  if (stats.symbols.join(',') !== meta.symbols.join(',') || stats.timeChannels !== meta.timeChannels) {
    throw new CorruptModelArtifactError(
      modelId,
      MODEL_FILES.stats,
      'describes other symbols or channels than meta.json',
    );
  }
  if (meta.targetScale.length !== meta.symbols.length) {
    throw new CorruptModelArtifactError(
      modelId,
      MODEL_FILES.meta,
      `has ${meta.targetScale.length} target scales for ${meta.symbols.length} symbols`,
    );
  }
  const config = parseJson(
    modelId,
    MODEL_FILES.config,
    await requireFile(store, meta, MODEL_FILES.config),
    configSchema,
  );
  const weights = await requireFile(store, meta, MODEL_FILES.weights);
  if (weights.byteLength !== meta.weightsByteLength) {
    throw new CorruptModelArtifactError(
      modelId,
      MODEL_FILES.weights,
      `holds ${weights.byteLength} bytes but meta.json recorded ${meta.weightsByteLength}`,
    );
  }
  assertPointerDigest(modelId, weights, options.weightsSha256 ?? pointer?.weightsSha256);
  const model = await deserialiseModel(
    modelId,
    await requireFile(store, meta, MODEL_FILES.topology),
    weights,
  );
  try {
    assertShapes(model, meta);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return { meta, stats, config, model };
}

export async function readEpochRecords(store: ObjectStore, modelId: string): Promise<EpochRecord[]> {
  const meta = await readModelMeta(store, modelId);
  const text = new TextDecoder().decode(await requireFile(store, meta, MODEL_FILES.metrics));
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) =>
      parseJson(modelId, MODEL_FILES.metrics, new TextEncoder().encode(line), epochRecordSchema),
    );
}

/** Adds a file beside a finished model, e.g. the strategy's thresholds.json or calibration.json; never replaces one. */
export async function putModelFile(
  store: ObjectStore,
  modelId: string,
  name: string,
  body: Body,
): Promise<void> {
  const meta = await readModelMeta(store, modelId);
  // a file saved with the model has its digest in meta.json: it exists, whatever the store says
  if (meta.files?.[name] !== undefined) throw new ModelFileExistsError(modelId, name);
  await createModelFile(store, modelId, assertExtraFileName(name), body);
}

/** Model directories are write-once: a file is created (a conditional write on S3) or the call fails. */
async function createModelFile(store: ObjectStore, modelId: string, file: string, body: Body): Promise<void> {
  if (!(await store.putIfAbsent(modelKey(modelId, file), body)))
    throw new ModelFileExistsError(modelId, file);
}

/** A file beside a model, or undefined when the model has none of that name. */
export async function getModelFile(
  store: ObjectStore,
  modelId: string,
  name: string,
  /** meta.json as the caller read it for this model; read here otherwise. */
  known?: ModelMeta,
): Promise<Uint8Array | undefined> {
  const meta = known?.id === modelId ? known : await readModelMeta(store, modelId);
  if (!FILE_NAME_PATTERN.test(name)) throw new RangeError(`"${name}" is not a model file name`);
  const bytes = await store.get(modelKey(modelId, name));
  // files added after the save (evaluation.json) have no digest in meta.json
  if (bytes !== undefined) assertFileDigest(meta, name, bytes);
  return bytes;
}

/** Ids of complete models (meta.json written), oldest first. */
export async function listModelIds(store: ObjectStore): Promise<string[]> {
  const keys = await store.list(MODELS_PREFIX);
  const metaSuffix = `/${MODEL_FILES.meta}`;
  return keys
    .filter((key) => key.endsWith(metaSuffix))
    .map((key) => key.slice(MODELS_PREFIX.length, -metaSuffix.length))
    .filter((id) => MODEL_ID_PATTERN.test(id))
    .sort();
}

/**
 * Points the champion at a model whose files all match their digests and whose weights are finite; the
 * pointer carries the digest of those weights.
 */
export async function setChampion(
  store: ObjectStore,
  modelId: string,
  nowMs: number = Date.now(),
): Promise<ChampionPointer> {
  const weightsSha256 = await verifyModelFiles(store, modelId);
  const pointer: ChampionPointer = { modelId, promotedAtMs: nowMs, weightsSha256 };
  await store.put(CHAMPION_KEY, JSON.stringify(pointer));
  return pointer;
}

export async function getChampion(store: ObjectStore): Promise<ChampionPointer | undefined> {
  const bytes = await store.get(CHAMPION_KEY);
  return bytes === undefined ? undefined : parseJson(CHAMPION, CHAMPION_KEY, bytes, championSchema);
}

/** The champion pointer, refused when the champion's weights are no longer those it was promoted with. */
export async function getVerifiedChampion(store: ObjectStore): Promise<ChampionPointer | undefined> {
  const pointer = await getChampion(store);
  if (pointer?.weightsSha256 !== undefined) {
    const meta = await readModelMeta(store, pointer.modelId);
    assertPointerDigest(
      pointer.modelId,
      await requireFile(store, meta, MODEL_FILES.weights),
      pointer.weightsSha256,
    );
  }
  return pointer;
}

/**
 * Reads every file of a model against its digest in meta.json and its weights for NaN, without building
 * the network; returns the weights' sha256.
 */
export async function verifyModelFiles(store: ObjectStore, modelId: string): Promise<string> {
  const meta = await readModelMeta(store, modelId);
  for (const name of Object.keys(meta.files ?? {})) await requireFile(store, meta, name);
  const weights = await requireFile(store, meta, MODEL_FILES.weights);
  assertWeightsFinite(modelId, await requireFile(store, meta, MODEL_FILES.topology), weights);
  return sha256Hex(weights);
}

function assertShapes(model: tf.LayersModel, meta: ModelMeta): void {
  const expectedInput = [null, meta.windowMinutes, meta.channels];
  const expectedOutput = [null, meta.symbols.length];
  const input = model.inputs[0]?.shape ?? [];
  const output = model.outputs[0]?.shape ?? [];
  if (model.inputs.length !== 1 || input.join(',') !== expectedInput.join(',')) {
    throw new ModelShapeMismatchError(meta.id, 'input', input, expectedInput);
  }
  if (model.outputs.length !== 1 || output.join(',') !== expectedOutput.join(',')) {
    throw new ModelShapeMismatchError(meta.id, 'output', output, expectedOutput);
  }
}

/** A file of a model, checked against its digest in meta.json (models saved before digests: none). */
async function requireFile(store: ObjectStore, meta: ModelMeta, file: string): Promise<Uint8Array> {
  const bytes = await store.get(modelKey(meta.id, file));
  if (bytes === undefined)
    throw new CorruptModelArtifactError(meta.id, file, 'is missing although meta.json exists');
  assertFileDigest(meta, file, bytes);
  return bytes;
}

function assertFileDigest(meta: ModelMeta, file: string, bytes: Uint8Array): void {
  const expected = meta.files?.[file];
  if (expected === undefined) return;
  const actual = sha256Hex(bytes);
  if (actual !== expected) throw new ModelDigestMismatchError(meta.id, file, actual, expected);
}

function assertPointerDigest(modelId: string, weights: Uint8Array, pointerSha256: string | undefined): void {
  if (pointerSha256 === undefined) return;
  const actual = sha256Hex(weights);
  if (actual !== pointerSha256) throw new ChampionDigestMismatchError(modelId, actual, pointerSha256);
}

async function requireChampion(store: ObjectStore): Promise<ChampionPointer> {
  const champion = await getChampion(store);
  if (champion === undefined) throw new ModelNotFoundError(CHAMPION);
  return champion;
}

function bytesOf(body: Body): Uint8Array {
  return typeof body === 'string' ? new TextEncoder().encode(body) : body;
}

function assertExtraFileName(name: string): string {
  if (!FILE_NAME_PATTERN.test(name) || CORE_FILES.has(name)) {
    throw new RangeError(
      `"${name}" cannot be written beside a model (core files are written only by saveModel)`,
    );
  }
  return name;
}

function toJsonLines(records: EpochRecord[]): string {
  return records.map((record) => JSON.stringify(record)).join('\n') + (records.length > 0 ? '\n' : '');
}
