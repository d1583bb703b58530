/**
 * A Lambda function's environment as settings: the construct writes it with `functionEnvironment`
 * (infra), the handler parses it back with `functionEnvSchema`. Both speak in setting names
 * (`storeUrl`); only FUNCTION_ENV_VARIABLES spells the variables.
 */
import { z } from 'zod';
import { FUNCTION_ENV_VARIABLES, type FunctionSetting } from './environment.js';

/** The environment of a function from its settings; settings left undefined are not set. */
export function functionEnvironment(
  settings: Partial<Record<FunctionSetting, string | number | undefined>>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(settings)
      .filter(([, value]) => value !== undefined)
      .map(([setting, value]) => [FUNCTION_ENV_VARIABLES[setting as FunctionSetting], String(value)]),
  );
}

type SettingShape = Partial<Record<FunctionSetting, z.ZodType>>;

/**
 * The schema a handler parses its environment with: each setting's schema applied to its variable, the
 * result keyed by setting. An issue's path names the variable, so a misconfigured function says which.
 */
export function functionEnvSchema<Shape extends SettingShape>(
  shape: Shape,
): z.ZodType<{ [Setting in keyof Shape]: z.output<NonNullable<Shape[Setting]>> }, NodeJS.ProcessEnv> {
  const settings = Object.keys(shape) as FunctionSetting[];
  return z
    .object(Object.fromEntries(settings.map((setting) => [FUNCTION_ENV_VARIABLES[setting], shape[setting]!])))
    .transform((env) =>
      Object.fromEntries(settings.map((setting) => [setting, env[FUNCTION_ENV_VARIABLES[setting]]])),
    ) as never;
}

/** Every function's store: the stack's bucket. */
export const functionStoreUrlSchema = z.string().startsWith('s3://');
