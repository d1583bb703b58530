/** Why a stored model cannot be used. Each names the situation and says what to do instead. */
import { Alpha15Error } from '../errors.js';

export class ModelNotFoundError extends Alpha15Error {
  readonly code = 'MODEL_NOT_FOUND';
  constructor(readonly modelId: string) {
    super(
      modelId === 'champion'
        ? 'no champion model is set in this store'
        : `model ${modelId} does not exist (or was never completed)`,
      modelId === 'champion'
        ? 'train one (the first model becomes champion), or promote one'
        : 'check the id and the store; a model whose training crashed before meta.json was written does not count',
      { data: { modelId } },
    );
  }
}

/** The network's input or output shape disagrees with what its meta.json promises. */
export class ModelShapeMismatchError extends Alpha15Error {
  readonly code = 'MODEL_SHAPE_MISMATCH';
  constructor(
    modelId: string,
    what: 'input' | 'output',
    actual: readonly (number | null)[],
    expected: readonly (number | null)[],
  ) {
    super(
      `model ${modelId} has ${what} shape [${actual.join(', ')}] but its meta.json says [${expected.join(', ')}]`,
      'the artifact was tampered with or mixed from two models: retrain it, or use another model id',
    );
  }
}

/** The model predicts other coins (or the same coins in another order) than the caller trades. */
export class ModelSymbolsMismatchError extends Alpha15Error {
  readonly code = 'MODEL_SYMBOLS_MISMATCH';
  constructor(modelId: string, modelSymbols: readonly string[], expectedSymbols: readonly string[]) {
    super(
      `model ${modelId} was trained on [${modelSymbols.join(', ')}] but [${expectedSymbols.join(', ')}] were asked for`,
      'use the symbols exactly as the model was trained (same order), or train a model on these symbols',
      { data: { modelId, modelSymbols, expectedSymbols } },
    );
  }
}

/**
 * A model directory is write-once: every file in it is created, never replaced, so the weights a
 * champion pointer names stay the weights it was promoted with (the bucket refuses unconditional writes).
 */
export class ModelFileExistsError extends Alpha15Error {
  readonly code = 'MODEL_FILE_EXISTS';
  constructor(modelId: string, file: string) {
    super(
      `model ${modelId} already has ${file}; model files are written once and never replaced`,
      'save the changed model under a new id (train again), or leave the existing file as it is',
      { data: { modelId, file } },
    );
  }
}

/** A file of the artifact is missing, is not valid JSON, fails its schema, or has the wrong size. */
export class CorruptModelArtifactError extends Alpha15Error {
  readonly code = 'CORRUPT_MODEL_ARTIFACT';
  constructor(modelId: string, file: string, problem: string, options?: ErrorOptions) {
    super(
      `model ${modelId}: ${file} ${problem}`,
      'the artifact is damaged: retrain the model (or copy models/<id>/ again from where it was made)',
      options,
    );
  }
}

/** A file of the artifact is not the one meta.json recorded: changed or damaged after the save. */
export class ModelDigestMismatchError extends Alpha15Error {
  readonly code = 'MODEL_DIGEST_MISMATCH';
  constructor(modelId: string, file: string, actualSha256: string, expectedSha256: string) {
    super(
      `model ${modelId}: ${file} has sha256 ${actualSha256.slice(0, 12)}… but meta.json recorded ${expectedSha256.slice(0, 12)}…`,
      'the file was overwritten or damaged after the model was saved: restore it from a previous object version, or retrain',
      { data: { modelId, file, actualSha256, expectedSha256 } },
    );
  }
}

/** The weights hold NaN or infinities: the network would predict nothing. */
export class NonFiniteWeightsError extends Alpha15Error {
  readonly code = 'NON_FINITE_WEIGHTS';
  constructor(modelId: string, weightName: string, nonFiniteCount: number) {
    super(
      `model ${modelId}: weight ${weightName} holds ${nonFiniteCount} NaN or infinite values`,
      'training diverged or the weights are damaged: retrain (a lower learning rate), or use another model',
      { data: { modelId, weightName, nonFiniteCount } },
    );
  }
}

/** The champion pointer names weights other than those stored under its model now. */
export class ChampionDigestMismatchError extends Alpha15Error {
  readonly code = 'CHAMPION_DIGEST_MISMATCH';
  constructor(modelId: string, actualSha256: string, pointerSha256: string) {
    super(
      `the champion ${modelId} was promoted with weights of sha256 ${pointerSha256.slice(0, 12)}… but its weights now have ${actualSha256.slice(0, 12)}…`,
      "the champion's weights were replaced after its promotion: restore them from a previous object version, or promote another model",
      { data: { modelId, actualSha256, pointerSha256 } },
    );
  }
}
