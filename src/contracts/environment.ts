/**
 * The ALPHA15_* environment variables that are not config fields: process settings read where they
 * apply. Every other ALPHA15_* name is a config path (ALPHA15_TRAINING__EPOCHS is training.epochs),
 * so the config loader can refuse a misspelt one instead of ignoring it.
 */

/** The config file to read, like --config. */
export const CONFIG_FILE_ENV_VARIABLE = 'ALPHA15_CONFIG';
/** Replaces an `auto` backend preference, e.g. `ALPHA15_BACKEND=cpu`. */
export const BACKEND_ENV_VARIABLE = 'ALPHA15_BACKEND';
/** The wasm backend's thread count when the caller sets none, e.g. `ALPHA15_WASM_THREADS=1`. */
export const WASM_THREADS_ENV_VARIABLE = 'ALPHA15_WASM_THREADS';

/**
 * `1` lets an explicit `webgpu` run on a software adapter (Mesa's lavapipe, SwiftShader): CI proves the
 * WebGPU path correct that way on machines without a GPU. `auto` never takes a software adapter.
 */
export const WEBGPU_ALLOW_SOFTWARE_ENV_VARIABLE = 'ALPHA15_WEBGPU_ALLOW_SOFTWARE';

export const PROCESS_ENV_VARIABLES: ReadonlySet<string> = new Set([
  CONFIG_FILE_ENV_VARIABLE,
  BACKEND_ENV_VARIABLE,
  WASM_THREADS_ENV_VARIABLE,
  WEBGPU_ALLOW_SOFTWARE_ENV_VARIABLE,
]);
