/** Types of layers.js, the allowed-imports table (plain JavaScript so that eslint.config.js can load it). */
export interface Area {
  name: string;
  paths: RegExp[];
  why: string;
}
export declare const AREAS: readonly Area[];
export declare const MAY_IMPORT: Readonly<Record<string, readonly string[]>>;
export declare function areaOf(file: string): string | undefined;
export declare function layerViolation(fromFile: string, toFile: string): string | undefined;
