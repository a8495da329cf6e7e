#!/usr/bin/env bash
# Side-by-side benchmark: Attend vs PyTorch 1.13 (nn.MultiheadAttention and plain ops) vs ONNX Runtime
# (onnxruntime-node) on the same weights, inputs, shapes and thread counts. See README.md here.
#
# usage: tests/Attend.Benchmarks/peers/run.sh [--quick] [--shapes decode,128,512,2048,4096]
#            [--threads 1,2] [--out table.md] [--work DIR] [--iters N] [--rounds N] [--skip-attend]
#            [--attend-no-build] [--regen] [--keep-openblas-env]
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
PY=/usr/bin/python3   # Debian's python, where python3-torch lives (not the pyenv one on PATH)

QUICK=0 SHAPES="" THREADS="1,2" OUT="" WORK="$HERE/.work" ITERS=0 ROUNDS=1
SKIP_ATTEND=0 ATTEND_BUILD=1 REGEN=0 KEEP_BLAS_ENV=0
usage() { sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while (($#)); do
  case "$1" in
    --quick) QUICK=1 ;;
    --shapes) SHAPES="$2"; shift ;;
    --threads) THREADS="$2"; shift ;;
    --out) OUT="$2"; shift ;;
    --work) WORK="$2"; shift ;;
    --iters) ITERS="$2"; shift ;;
    --rounds) ROUNDS="$2"; shift ;;
    --skip-attend) SKIP_ATTEND=1 ;;
    --attend-no-build) ATTEND_BUILD=0 ;;
    --regen) REGEN=1 ;;
    --keep-openblas-env) KEEP_BLAS_ENV=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
OUT=${OUT:-$WORK/table.md}
case "$OUT" in /*) ;; *) OUT="$PWD/$OUT" ;; esac
LOGS="$WORK/logs"; mkdir -p "$LOGS"
START=$(date +%s)
say() { printf '[peers %4ss] %s\n' "$(( $(date +%s) - START ))" "$*" >&2; }
QFLAG=(); ((QUICK)) && QFLAG=(--quick)
SFLAG=(); [[ -n "$SHAPES" ]] && SFLAG=(--shapes "$SHAPES")

# ---------------------------------------------------------------- 1. peers, installed if missing
SUDO=(); [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null && SUDO=(sudo)
APT=(python3-torch libopenblas0-openmp python3-threadpoolctl)
missing=0
[[ -x $PY ]] && $PY -c 'import torch, numpy, threadpoolctl' 2>/dev/null || missing=1
dpkg -s libopenblas0-openmp >/dev/null 2>&1 || missing=1
command -v gcc >/dev/null || APT+=(gcc) missing=1
{ command -v node >/dev/null && command -v npm >/dev/null; } || APT+=(nodejs npm) missing=1
if ((missing)); then
  say "installing ${APT[*]}"
  "${SUDO[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -q "${APT[@]}"
fi
if ! (cd "$HERE" && node -e "import('onnxruntime-node')" >/dev/null 2>&1); then
  say "installing onnxruntime-node into $HERE/node_modules"
  (cd "$HERE" && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund)
fi

# ---------------------------------------------------------------- FMA peak program
gcc -O2 -mavx2 -mfma -pthread "$HERE/fma_peak.c" -o "$WORK/fma_peak"
PEAK512=()
if grep -qw avx512f /proc/cpuinfo; then
  gcc -O2 -mavx512f -DFMA512 -pthread "$HERE/fma_peak.c" -o "$WORK/fma_peak512" && PEAK512=(--bin512 "$WORK/fma_peak512")
fi

# ---------------------------------------------------------------- 2. cases: weights, inputs, ONNX, references
say "generating cases in $WORK/cases"
RFLAG=(); ((REGEN)) && RFLAG=(--regen)
(cd "$HERE" && $PY make_cases.py --work "$WORK/cases" "${QFLAG[@]}" "${SFLAG[@]}" "${RFLAG[@]}") \
  || { echo "make_cases.py failed" >&2; exit 1; }
[[ -s "$WORK/cases/manifest.json" ]] || { echo "no manifest written" >&2; exit 1; }

say "measuring the FMA peak"
(cd "$HERE" && $PY report.py peak --work "$WORK" --bin "$WORK/fma_peak" "${PEAK512[@]}" \
  --threads "$THREADS" --out "$WORK/peaks.json")

# ---------------------------------------------------------------- 3. peers
# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE may be set on this machine kind to keep old OpenBLAS builds safe;
# they also pin a slower kernel. Per /work/.library/env/README.md, unset both for the torch timing
# command alone (torch_peer.py records which kernel OpenBLAS then picks; its output is still checked
# against the float64 reference). --keep-openblas-env leaves them as they are.
TORCH_ENV=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)
BLAS_NOTE="OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for the torch runs."
if ((KEEP_BLAS_ENV)); then TORCH_ENV=(env); BLAS_NOTE="OpenBLAS environment kept as set."; fi
# Each round times torch, then ORT, then Attend; with --rounds N the rounds follow one another, so every
# implementation is timed N times, minutes apart, and the table keeps each one's best round (report.py).
ATTEND_READY=1
run_attend_build() {
  export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
  ((SKIP_ATTEND)) && { say "Attend skipped (--skip-attend)"; ATTEND_READY=0; return; }
  if [[ -z ${ATTEND_PEER_CMD:-} ]] && ! command -v dotnet >/dev/null; then
    say "Attend: no dotnet on PATH; its column will be n/a"; ATTEND_READY=0; return
  fi
  [[ -n ${ATTEND_PEER_CMD:-} ]] && ATTEND_BUILD=0
  if ((ATTEND_BUILD)); then
    say "Attend: building tests/Attend.Benchmarks (Release)"
    if ! (cd "$REPO" && dotnet build -c Release tests/Attend.Benchmarks >"$LOGS/attend-build.log" 2>&1); then
      say "Attend: build failed (see $LOGS/attend-build.log); its column will be n/a"
      ATTEND_READY=0
    fi
  fi
}

run_round() {
  local r=$1 tag=""
  ((ROUNDS > 1)) && tag=".r$r"
  ((ROUNDS > 1)) && say "round $r of $ROUNDS"
  say "PyTorch"
  (cd "$HERE" && "${TORCH_ENV[@]}" $PY torch_peer.py --work "$WORK/cases" --threads "$THREADS" \
    "${QFLAG[@]}" --iters "$ITERS" --out "$WORK/torch$tag.json") \
    || { echo "torch_peer.py failed; its column will be n/a" >&2; rm -f "$WORK/torch$tag.json"; }

  say "ONNX Runtime"
  local ORT_ITERS=(); ((ITERS)) && ORT_ITERS=(--iters "$ITERS")
  (cd "$HERE" && node ort_peer.mjs --work "$WORK/cases" --threads "$THREADS" "${QFLAG[@]}" "${ORT_ITERS[@]}" \
    --out "$WORK/ort$tag.json") \
    || { echo "ort_peer.mjs failed; its column will be n/a" >&2; rm -f "$WORK/ort$tag.json"; }

  local ATT="$WORK/attend$tag"; rm -rf "$ATT"; mkdir -p "$ATT"
  ATTEND_DIRS+=("$ATT"); TORCH_FILES+=("$WORK/torch$tag.json"); ORT_FILES+=("$WORK/ort$tag.json")
  ((ATTEND_READY)) || return 0
  # ATTEND_PEER_CMD (testing hook): a command used instead of the dotnet one, given the same arguments.
  local ACMD; read -r -a ACMD <<<"${ATTEND_PEER_CMD:-dotnet run -c Release --no-build --project tests/Attend.Benchmarks --}"
  local fails=0 wins=0 name file t res log
  while read -r name file; do
    for t in ${THREADS//,/ }; do
      ((wins == 0 && fails >= 3)) && break 2
      res="$ATT/$name.t$t.json" log="$LOGS/attend-$name.t$t$tag.log"
      # = dotnet run -c Release --project tests/Attend.Benchmarks -- peer ..., built once above
      if (cd "$REPO" && timeout 1800 "${ACMD[@]}" peer --case "$file" --threads "$t" --out "$res") >"$log" 2>&1 \
         && $PY -c 'import json,sys; r=json.load(open(sys.argv[1])); float(r["median_ms"])' "$res" 2>/dev/null; then
        wins=$((wins + 1))
        say "Attend $name t=$t: $($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["median_ms"])' "$res") ms"
      else
        fails=$((fails + 1)); rm -f "$res"
        say "Attend $name t=$t: n/a ($(tail -n 1 "$log" | cut -c1-120))"
      fi
    done
  done < <($PY -c 'import json,sys
for c in json.load(open(sys.argv[1]))["cases"]: print(c["name"], c["safetensors"])' "$WORK/cases/manifest.json")
  if ((wins == 0 && fails >= 3)); then
    say "Attend: first $fails runs failed, not trying the rest; its column is n/a"
    ATTEND_READY=0
  fi
}

ATTEND_DIRS=() TORCH_FILES=() ORT_FILES=()
run_attend_build
for ((round = 1; round <= ROUNDS; round++)); do
  run_round "$round"
done

# ---------------------------------------------------------------- 5. the table
(cd "$HERE" && $PY report.py table --work "$WORK/cases" --torch "${TORCH_FILES[@]}" --ort "${ORT_FILES[@]}" \
  --attend-dir "${ATTEND_DIRS[@]}" --peaks "$WORK/peaks.json" --threads "$THREADS" --out "$OUT" \
  --note "$BLAS_NOTE$( ((QUICK)) && echo ' Quick run: fewer iterations.')")
say "done in $(( $(date +%s) - START )) s; table written to $OUT"
