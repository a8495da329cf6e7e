#!/usr/bin/env bash
# NativeAOT check: publishes samples/Attend.Samples.Quickstart with PublishAot (the sample sets it when AttendNativeAot=true), fails on any trimming or AOT
# warning, then runs it and the JIT build on the same weights and compares every kernel path's output.
# Needs clang and lld (Debian: apt-get install -y clang lld); the ILCompiler package comes from NuGet.
# Prints one "AOT check: ..." line; exit 0 = green.
#
# --trimmed: where NuGet cannot supply the NativeAOT runtime pack (Microsoft.NETCore.App.Runtime.NativeAOT.<rid>), check
# what can be checked without it: a trimmed self-contained publish (ILLink's trim analysis, IL2xxx) with the AOT analyzer
# (IL3xxx) over the sample and its generated code, zero warnings, and the same outputs as the JIT build. This is weaker than
# NativeAOT (no ILCompiler codegen), and the line says so. Without the flag, a missing pack exits 2 ("BLOCKED").
set -euo pipefail
mode=aot
if [ "${1:-}" = "--trimmed" ]; then mode=trimmed; fi
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
sample="$root/samples/Attend.Samples.Quickstart"
rid=linux-x64

if [ "$mode" = aot ]; then
  command -v clang > /dev/null || { echo "AOT check: FAILED, clang not found (apt-get install -y clang lld)"; exit 1; }
  publish_property=-p:AttendNativeAot=true
  binary_kind="native binary"
else
  publish_property=-p:AttendTrimmed=true
  binary_kind="trimmed self-contained app (NOT NativeAOT)"
fi

# Separate artifacts folders, so the two builds never share bin/obj state with each other or with a normal build.
if ! dotnet publish "$sample" -c Release -r "$rid" "$publish_property" -o "$work/aot" --artifacts-path "$work/artifacts-aot" > "$work/aot.log" 2>&1; then
  if grep -q 'NU1101.*NativeAOT' "$work/aot.log"; then
    grep -m1 'NU1101' "$work/aot.log"
    echo "AOT check: BLOCKED, the NuGet registry has no NativeAOT runtime pack for $rid; run scripts/check-aot.sh --trimmed for the checks that need no pack"
    exit 2
  fi
  cat "$work/aot.log"; echo "AOT check: FAILED, the $mode publish failed"; exit 1
fi
# IL2xxx are trimming warnings, IL3xxx AOT warnings; any "warning" line counts.
warnings=$(grep -E ': warning ' "$work/aot.log" | sort -u || true)
if [ -n "$warnings" ]; then
  echo "$warnings"; echo "AOT check: FAILED, $(wc -l <<< "$warnings") trimming/AOT warning(s)"; exit 1
fi

if ! dotnet publish "$sample" -c Release -o "$work/jit" --artifacts-path "$work/artifacts-jit" > "$work/jit.log" 2>&1; then
  cat "$work/jit.log"; echo "AOT check: FAILED, the JIT build failed"; exit 1
fi

ATTEND_QUICKSTART_DUMP="$work/out-aot" "$work/aot/Attend.Samples.Quickstart" > "$work/aot.txt"
ATTEND_QUICKSTART_DUMP="$work/out-jit" dotnet "$work/jit/Attend.Samples.Quickstart.dll" > "$work/jit.txt"
cat "$work/aot.txt"

# Same outputs: bit-identical on the scalar path and on every vector path both builds accelerate; a path one build
# only emulates in software (NativeAOT targets a baseline x64 unless told otherwise) may sum in another order,
# so there it must agree to 1e-6 of the output's scale.
python3 - "$work/out-jit" "$work/out-aot" "$work/aot/Attend.Samples.Quickstart" "$mode" "$binary_kind" <<'PY'
import os, struct, sys
jit, aot, binary, mode, binary_kind = sys.argv[1:6]
order = ["Scalar", "Vector128", "Vector256", "Vector512"]
best_jit = open(os.path.join(jit, "auto.txt")).read().strip()
best_aot = open(os.path.join(aot, "auto.txt")).read().strip()
report, ok = [], True
for path in order:
    a = open(os.path.join(jit, path + ".bin"), "rb").read()
    b = open(os.path.join(aot, path + ".bin"), "rb").read()
    x = struct.unpack(f"<{len(a) // 4}f", a)
    y = struct.unpack(f"<{len(b) // 4}f", b)
    scale = max(abs(v) for v in x)
    diff = max(abs(p - q) for p, q in zip(x, y))
    accelerated = path == "Scalar" or (order.index(path) <= order.index(best_jit) and order.index(path) <= order.index(best_aot))
    same = a == b
    good = same if accelerated else diff <= 1e-6 * scale
    ok &= good and len(a) == len(b)
    report.append(f"{path} {'identical' if same else f'max diff {diff:.1e}'}")
size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(os.path.dirname(binary)) for f in fs) / 1e6 if mode == "trimmed" else os.path.getsize(binary) / 1e6
label = "AOT check" if mode == "aot" else "Trimmed check"
print(f"{label}: {'OK' if ok else 'FAILED'}, zero trimming/AOT warnings, {size:.1f} MB {binary_kind}; Auto -> {best_aot} (JIT: {best_jit}); "
      f"outputs vs JIT: {', '.join(report)}")
sys.exit(0 if ok else 1)
PY
