/**
 * What a WebGPU adapter is, decided from what it reports: a GPU, or software that runs the shaders on
 * the CPU (Mesa's lavapipe/llvmpipe, SwiftShader, Microsoft's WARP). `auto` must never train on the
 * latter: it is slower than the wasm backend, and a GPU job on it would burn GPU hours on the CPU.
 *
 * The rule (docs/gpu.md): an adapter is software when it says so (`isFallbackAdapter`, which Dawn sets
 * for a CPU device type), or when its architecture is "software", or when its vendor, device or
 * description names a known software rasteriser. Dawn on lavapipe reports vendor "mesa", architecture
 * "software", device "llvmpipe-…" and isFallbackAdapter true; an NVIDIA GPU reports vendor "nvidia",
 * device "nvidia-h200" and isFallbackAdapter false. Pure: no WebGPU import.
 */

/** The fields of GPUAdapterInfo the rule reads (older implementations lack some: empty or undefined). */
export interface AdapterFacts {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** GPUAdapterInfo.isFallbackAdapter, or GPUAdapter.isFallbackAdapter in older implementations. */
  isFallbackAdapter?: boolean;
}

const SOFTWARE_NAMES = /llvmpipe|lavapipe|swiftshader|softpipe|\bwarp\b|basic render driver/i;

/** The reason this adapter counts as software, or undefined for a hardware adapter. */
export function softwareAdapterReason(facts: AdapterFacts): string | undefined {
  if (facts.isFallbackAdapter === true) return 'it is a fallback adapter';
  if (facts.architecture.toLowerCase() === 'software') return 'its architecture is "software"';
  const named = [facts.vendor, facts.device, facts.description].find((field) => SOFTWARE_NAMES.test(field));
  if (named !== undefined) return `"${named}" names a software renderer`;
  return undefined;
}

/** One line for logs and errors: vendor, device, and the description when it adds anything. */
export function describeAdapter(facts: AdapterFacts): string {
  const name = [facts.vendor, facts.device].filter((field) => field !== '').join(' ') || 'unnamed adapter';
  const description = facts.description !== '' && facts.description !== name ? ` (${facts.description})` : '';
  return `${name}${description}`;
}

/** GPUAdapterInfo (or the adapter itself, for implementations that keep isFallbackAdapter there) as facts. */
export function adapterFacts(
  info: Partial<Record<'vendor' | 'architecture' | 'device' | 'description', string>> & {
    isFallbackAdapter?: boolean;
  },
  adapterFallbackFlag?: boolean,
): AdapterFacts {
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    isFallbackAdapter: info.isFallbackAdapter ?? adapterFallbackFlag,
  };
}
