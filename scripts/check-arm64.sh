#!/usr/bin/env bash
# ARM64 check: publishes tests/Attend.PortabilityRun (every layer kind's PyTorch fixture tests from Attend.Tests, on
# the Scalar and Vector128 paths; Vector128 is AdvSimd there) self-contained for linux-arm64, runs it under
# qemu-aarch64, and runs the same program on x64. Both must pass the same cases: each case compares with PyTorch's
# output (computed on x64) within the test's usual tolerance. Prints one "ARM64 check: ..." line; exit 0 = green.
# Needs qemu-user and the arm64 C runtime: apt-get install -y qemu-user libc6-arm64-cross libstdc++6-arm64-cross libgcc-s1-arm64-cross
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
sysroot=/usr/aarch64-linux-gnu
command -v qemu-aarch64 > /dev/null || { echo "ARM64 check: FAILED, qemu-aarch64 not found (apt-get install -y qemu-user)"; exit 1; }
[ -e "$sysroot/lib/ld-linux-aarch64.so.1" ] || { echo "ARM64 check: FAILED, no arm64 C runtime in $sysroot (apt-get install -y libc6-arm64-cross libstdc++6-arm64-cross libgcc-s1-arm64-cross)"; exit 1; }
project="$root/tests/Attend.PortabilityRun"

if ! dotnet publish "$project" -c Release -r linux-arm64 --self-contained -o "$work/arm64" --artifacts-path "$work/artifacts-arm64" > "$work/arm64-publish.log" 2>&1; then
  cat "$work/arm64-publish.log"; echo "ARM64 check: FAILED, the linux-arm64 publish failed"; exit 1
fi
# The x64 run uses the ordinary build (after CI's test run, only this small project compiles).
if ! dotnet build "$project" -c Release > "$work/x64-build.log" 2>&1; then
  cat "$work/x64-build.log"; echo "ARM64 check: FAILED, the x64 build failed"; exit 1
fi

start=$(date +%s)
arm64_status=0
# DOTNET_EnableWriteXorExecute=0: the runtime writes code through a second mapping of the same memory, which
# qemu-user does not see, so it kept running stale translations of reused code (an illegal instruction, or a
# reflection stub of another class: seen 2026-12-06). Neoverse N1 (ARMv8.2: Graviton2, Ampere Altra) is a real server core.
(cd "$work/arm64" && DOTNET_EnableWriteXorExecute=0 qemu-aarch64 -cpu neoverse-n1 -L "$sysroot" ./Attend.PortabilityRun > "$work/arm64.txt" 2>&1) || arm64_status=$?
arm64_seconds=$(( $(date +%s) - start ))
x64_status=0
(cd "$project/bin/Release/net10.0" && dotnet Attend.PortabilityRun.dll > "$work/x64.txt" 2>&1) || x64_status=$?
cat "$work/arm64.txt"

arm64_summary=$(tail -n 1 "$work/arm64.txt")
x64_summary=$(tail -n 1 "$work/x64.txt")
if [ "$arm64_status" -ne 0 ] || [ "$x64_status" -ne 0 ] || [ "$arm64_summary" != "$x64_summary" ]; then
  echo "x64: $x64_summary"
  echo "ARM64 check: FAILED, linux-arm64 under qemu: $arm64_summary (exit $arm64_status); x64: $x64_summary (exit $x64_status)"; exit 1
fi
echo "ARM64 check: OK, every layer kind's fixture tests on Scalar and Vector128 (AdvSimd) under qemu-aarch64: $arm64_summary (x64: the same) in ${arm64_seconds} s"
