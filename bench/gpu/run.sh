#!/usr/bin/env bash
# The whole GPU measurement on a fresh NVIDIA machine that has no internet and no Node, from the folder
# bench/gpu/build-carry.ts builds (bench/out/gpu-carry, which holds a copy of this script):
#
#   bash bench/out/gpu-carry/run.sh [bench:train flags, e.g. --steps 20 or a tiny --timesteps 32]
#
# Unpacks the carried Node and Dawn, unpacks Debian's Vulkan loader and GL dispatch libraries into /
# when the machine lacks them (root), points Vulkan at NVIDIA's ICD, then runs the bundled bench:train
# on tfjs WebGPU (with the PyTorch CUDA reference in the same run when python3 has torch with CUDA) and
# on tfjs wasm, and prints one table. About 2 minutes with the default model on an H200.
# ALPHA15_WEBGPU_ALLOW_SOFTWARE=1 lets it run on lavapipe: the rehearsal on a machine without a GPU.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

unxz_to() { # $1 archive, $2 output; python's lzma where the machine has no xz
  if command -v xz >/dev/null 2>&1; then xz -dc "$1" >"$2"
  else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"; fi
}
NODE="$WORK/node"
unxz_to "$HERE/node.xz" "$NODE"
chmod +x "$NODE"
[ -f "$HERE/dist/linux-x64/dawn.node" ] || unxz_to "$HERE/dist/linux-x64/dawn.node.xz" "$HERE/dist/linux-x64/dawn.node"
echo "node $("$NODE" --version)" >&2

# Dawn dlopens libvulkan.so.1, and NVIDIA's Vulkan ICD needs libGLX/libEGL: loading them from
# LD_LIBRARY_PATH did not work, so they go where the dynamic linker looks.
has_lib() { ldconfig -p | grep -q "$1"; }
if ! has_lib 'libvulkan.so.1 ' || ! has_lib 'libGLX.so.0 ' || ! has_lib 'libEGL.so.1 '; then
  echo "unpacking the Vulkan loader and GL dispatch libraries into /" >&2
  for deb in "$HERE"/debs/*.deb; do dpkg -x "$deb" /; done
  ldconfig
fi
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json \
  /etc/vulkan/icd.d/nvidia_icd.json; do
  if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd"; fi
done
echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset, the loader defaults}" >&2

TORCH=(--no-torch)
if python3 -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)' >/dev/null 2>&1; then
  TORCH=(--torch-device cuda --torch-python "$(command -v python3)")
else
  echo "PyTorch CUDA reference skipped: python3 has no torch with CUDA" >&2
fi
COMMON=(--json --no-pipeline --no-memory)
cd "$HERE"
timeout 200 "$NODE" bench.mjs --backend webgpu "${COMMON[@]}" "${TORCH[@]}" "$@" >"$WORK/webgpu.json" ||
  echo "the WebGPU run failed (exit $?)" >&2
timeout 90 "$NODE" bench.mjs --backend wasm --threads "$(nproc)" "${COMMON[@]}" --no-torch "$@" >"$WORK/wasm.json" ||
  echo "the wasm run failed (exit $?)" >&2

"$NODE" --input-type=module - "$WORK/webgpu.json" "$WORK/wasm.json" <<'TABLE'
import { readFileSync } from 'node:fs';
const runs = process.argv.slice(2).flatMap((file) => {
  try { return [JSON.parse(readFileSync(file, 'utf8'))]; } catch { return []; }
});
const fmt = (value, digits = 1) => (value === null || value === undefined ? '—' : Number(value).toFixed(digits));
const rows = [];
const torchRun = runs.find((run) => run.torch !== null);
if (torchRun) rows.push([`PyTorch ${torchRun.torch.version} ${torchRun.torch.device} fp32`, torchRun.train.torchSamplesPerSecond, torchRun.infer.torchSamplesPerSecond, torchRun.infer.torchSingleSampleLatencyMs, null, null, null]);
for (const run of runs) {
  const name = run.adapter ? `tfjs ${run.backend} (${run.adapter.vendor} ${run.adapter.device})` : `tfjs ${run.backend} (${run.threads} threads)`;
  rows.push([name, run.train.samplesPerSecond, run.infer.samplesPerSecond, run.infer.singleSampleLatencyMs, run.firstTrainStepMs, run.train.ratio, run.infer.ratio]);
}
const shape = runs[0]?.shape;
console.log(shape ? `ResNet1D ${shape.timesteps} x ${shape.channels}, ${shape.filters} filters, ${shape.blocks} blocks, batch ${runs[0].batch}, ${runs[0].parameters} parameters, ${runs[0].steps} timed steps` : 'no run finished');
console.log('| stack | train samples/s | infer samples/s | 1-sample latency ms | first step ms | train / PyTorch | infer / PyTorch |');
console.log('|---|---|---|---|---|---|---|');
for (const [name, train, infer, latency, first, trainRatio, inferRatio] of rows)
  console.log(`| ${name} | ${fmt(train)} | ${fmt(infer)} | ${fmt(latency, 2)} | ${fmt(first, 0)} | ${fmt(trainRatio, 3)} | ${fmt(inferRatio, 3)} |`);
TABLE
