#!/usr/bin/env bash
# PyTorch 1.13 and Attend on the External-Attention modules (issue 13), one thread, same weights and inputs, each
# output checked against a float64 reference. Usage: external_attention.sh [--quick] [--rounds N] [--only a,b]
# Writes the case files to peers/.work/external (git-ignored) and prints one markdown table.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
work="$here/.work/external"
torch_args=() attend_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) torch_args+=(--quick); attend_args+=(--seconds 0.3); shift ;;
    --rounds) torch_args+=(--rounds "$2"); attend_args+=(--rounds "$2"); shift 2 ;;
    --only) torch_args+=(--only "$2"); attend_args+=(--only "$2"); shift 2 ;;
    *) echo "external_attention.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
if ! /usr/bin/python3 -c "import torch, numpy" 2>/dev/null; then
  apt-get update -qq && apt-get install -y -qq python3-torch libopenblas0-openmp > /dev/null
fi
# One pinned core for each side; OpenBLAS's forced core type pins a slower kernel (peers/README.md, "OpenBLAS environment").
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE taskset -c 1 /usr/bin/python3 "$here/external_attention_torch.py" --work "$work" "${torch_args[@]}"
dotnet build -c Release "$repo/tests/Attend.Benchmarks" > /dev/null
# Not pinned: the layer runs on one thread (MaxDegreeOfParallelism = 1); the JIT's tier-up thread may use the other core.
dotnet run -c Release --no-build --project "$repo/tests/Attend.Benchmarks" -- external --work "$work" "${attend_args[@]}"
