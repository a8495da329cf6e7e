#!/usr/bin/env bash
# NativeAOT check, as a user publishes: `dotnet publish -r linux-x64 -p:PublishAot=true` of the Quickstart, the Digits and the
# Embeddings sample with nothing else set (the instruction set is the one Attend's buildTransitive/Attend.targets chooses). Fails on
# any trimming or AOT warning, runs each binary and its JIT build on the same weights, requires the same outputs on every
# kernel path, and prints binary size, start-up time, peak RSS and forward time next to the JIT build's.
# Needs gcc (NativeAOT links with it when clang is absent), python3 and qemu-x86_64 (Debian's qemu-user, for the portable
# binary on an emulated pre-AVX processor); the ILCompiler packages come from NuGet.
# Prints one "AOT check: ..." line per sample and a last summary line; exit 0 = green.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
rid=linux-x64
command -v gcc > /dev/null || command -v clang > /dev/null || { echo "AOT check: FAILED, no C toolchain to link with (apt-get install -y gcc)"; exit 1; }
command -v /usr/bin/time > /dev/null || { echo "AOT check: FAILED, /usr/bin/time not found (apt-get install -y time)"; exit 1; }

failed=0
# check NAME DUMP_VARIABLE ARGS...: publishes samples/Attend.Samples.NAME twice and compares; ARGS are given to both runs.
check() {
  local name=$1 dump_variable=$2; shift 2
  local sample="$root/samples/Attend.Samples.$name" out="$work/$name"
  mkdir -p "$out"
  # Separate artifacts folders, so the two builds never share bin/obj state with each other or with a normal build.
  # PublishAot on the command line, as a user types it (it reaches the generator projects too; they must ignore it).
  if ! dotnet publish "$sample" -c Release -r "$rid" -p:PublishAot=true -p:TrimmerSingleWarn=false -o "$out/aot" --artifacts-path "$out/artifacts-aot" > "$out/aot.log" 2>&1; then
    cat "$out/aot.log"; echo "AOT check: FAILED, the NativeAOT publish of $name failed"; return 1
  fi
  # IL2xxx are trimming warnings, IL3xxx AOT warnings; any "warning" line counts.
  local warnings
  warnings=$(grep -E ': warning ' "$out/aot.log" | sort -u || true)
  if [ -n "$warnings" ]; then
    echo "$warnings"; echo "AOT check: FAILED, $(wc -l <<< "$warnings") trimming/AOT warning(s) in $name"; return 1
  fi
  if ! dotnet publish "$sample" -c Release -o "$out/jit" --artifacts-path "$out/artifacts-jit" > "$out/jit.log" 2>&1; then
    cat "$out/jit.log"; echo "AOT check: FAILED, the JIT build of $name failed"; return 1
  fi
  # Each build runs in its own folder (Digits writes its figure into the current one); /usr/bin/time gives peak RSS.
  (cd "$out/aot" && env "$dump_variable=$out/out-aot" /usr/bin/time -f "%M" -o "$out/aot.rss" "./Attend.Samples.$name" "$@" > "$out/aot.txt") \
    || { cat "$out/aot.txt"; echo "AOT check: FAILED, the NativeAOT $name exited with an error"; return 1; }
  (cd "$out/jit" && env "$dump_variable=$out/out-jit" /usr/bin/time -f "%M" -o "$out/jit.rss" dotnet "Attend.Samples.$name.dll" "$@" > "$out/jit.txt") \
    || { cat "$out/jit.txt"; echo "AOT check: FAILED, the JIT $name exited with an error"; return 1; }
  sed 's/^/  /' "$out/aot.txt"
  python3 "$root/scripts/compare-aot.py" "$name" "$out" "$@"
}

# portable: the README's opt-out for x64 processors without AVX2, checked on one: the Quickstart published with
# AttendAotInstructionSet=false runs on an emulated Nehalem (SSE4.2, no AVX, no FMA) and matches the JIT build, and
# the default binary (x86-64-v3) refuses that processor at start-up with NativeAOT's message instead of faulting later.
# Runs after `check Quickstart`, whose default binary and JIT dumps it reuses.
portable() {
  local out="$work/Quickstart" cpu=Nehalem
  command -v qemu-x86_64 > /dev/null || { echo "AOT check: FAILED, qemu-x86_64 not found (apt-get install -y qemu-user)"; return 1; }
  if ! dotnet publish "$root/samples/Attend.Samples.Quickstart" -c Release -r "$rid" -p:PublishAot=true -p:AttendAotInstructionSet=false \
      -o "$out/portable" --artifacts-path "$out/artifacts-portable" > "$out/portable.log" 2>&1; then
    cat "$out/portable.log"; echo "AOT check: FAILED, the portable (AttendAotInstructionSet=false) publish failed"; return 1
  fi
  grep -q 'warning ATTENDAOT001' "$out/portable.log" \
    || { echo "AOT check: FAILED, the portable publish did not warn ATTENDAOT001 about running Vector128 only"; return 1; }
  (cd "$out/portable" && env ATTEND_QUICKSTART_DUMP="$out/out-portable" qemu-x86_64 -cpu "$cpu" ./Attend.Samples.Quickstart > "$out/portable.txt" 2>&1) \
    || { cat "$out/portable.txt"; echo "AOT check: FAILED, the portable Quickstart did not run on an emulated $cpu"; return 1; }
  # The outer 2>/dev/null takes the shell's own "Aborted" line: that abort is the expected outcome.
  if (cd "$out/aot" && qemu-x86_64 -cpu "$cpu" ./Attend.Samples.Quickstart > "$out/default-on-old-cpu.txt" 2>&1) 2> /dev/null; then
    echo "AOT check: FAILED, the default (x86-64-v3) binary ran on an emulated $cpu, which has no AVX2"; return 1
  fi
  grep -q 'required instruction sets are not supported' "$out/default-on-old-cpu.txt" \
    || { cat "$out/default-on-old-cpu.txt"; echo "AOT check: FAILED, the default binary failed on $cpu without NativeAOT's instruction-set message"; return 1; }
  python3 "$root/scripts/compare-aot.py" --portable "$cpu" Quickstart "$out"
}

check Quickstart ATTEND_QUICKSTART_DUMP || failed=1
portable || failed=1
check Digits ATTEND_DIGITS_DUMP "$root/samples/Attend.Samples.Digits/weights/digits_vit.safetensors" \
  "$root/samples/Attend.Samples.Digits/data/digits_test.safetensors" digits-attention.svg || failed=1
check Embeddings ATTEND_EMBEDDINGS_DUMP || failed=1
if [ "$failed" -ne 0 ]; then echo "AOT check: FAILED"; exit 1; fi
# The headline for the embeddings sample: everything that runs the model, against the native library of the peer a user
# would otherwise ship (the model file, 91 MB, comes with either).
ort=$(find "$work/Embeddings/jit" -path '*linux-x64/native/libonnxruntime.so' | head -1)
mb() { awk -v bytes="$(stat -c %s "$1")" 'BEGIN { printf "%.1f", bytes / 1e6 }'; }
echo "  Embeddings: one native binary of $(mb "$work/Embeddings/aot/Attend.Samples.Embeddings") MB embeds text with all-MiniLM-L6-v2; ONNX Runtime's native library alone is $(mb "$ort") MB (libonnxruntime.so 1.32, plus its managed assembly)"
echo "AOT check: OK, Quickstart, Digits and Embeddings published with PublishAot=true alone, zero trimming/AOT warnings, outputs identical to the JIT build on every kernel path; the portable Quickstart runs on a pre-AVX processor"
