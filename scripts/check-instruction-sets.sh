#!/usr/bin/env bash
# Instruction-set check: the integer projection kernels' tests (Int8Gemm, ByteActivationGemm, PackedProjection) again with
# the runtime told to leave out what this processor has, so that every fallback a user's processor may take runs here:
# no AVX-512 (16 vector registers: ByteActivationGemm's narrow tile, AVX-VNNI alone), no AVX-VNNI (vpdpbusd and vpdpwssd
# emulated with vpmaddwd), neither, no AVX2, and no hardware intrinsics at all (the portable vector forms). Each must give
# the reference's bits on every path. A knob for something the processor lacks changes nothing, so the check passes
# there too. Prints one "Instruction-set check: ..." line; exit 0 = green. Needs a Release build of Attend.Tests.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
filter="FullyQualifiedName~ByteActivationGemmTests|FullyQualifiedName~Int8GemmTests|FullyQualifiedName~PackedProjectionTests"
configurations=("DOTNET_EnableAVX512=0" "DOTNET_EnableAVXVNNI=0" "DOTNET_EnableAVX512=0 DOTNET_EnableAVXVNNI=0" "DOTNET_EnableAVX2=0" "DOTNET_EnableHWIntrinsic=0")
results=()
status=0
for configuration in "${configurations[@]}"; do
  log=$(mktemp)
  env $configuration dotnet test "$root/tests/Attend.Tests" -c Release --no-build --filter "$filter" > "$log" 2>&1
  code=$?
  summary=$(grep -E '^(Passed|Failed)!' "$log" | sed -E 's/.*Failed: *([0-9]+), Passed: *([0-9]+).*/\2 passed, \1 failed/')
  if [ "$code" -ne 0 ] || [ -z "$summary" ]; then
    cat "$log"
    status=1
  fi
  results+=("$configuration: ${summary:-no result}")
  rm -f "$log"
done
joined=$(printf '%s; ' "${results[@]}")
if [ "$status" -ne 0 ]; then
  echo "Instruction-set check: FAILED, ${joined%; }"; exit 1
fi
echo "Instruction-set check: OK, ${joined%; }"
