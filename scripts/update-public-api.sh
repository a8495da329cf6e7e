#!/usr/bin/env bash
# Adds every public symbol of src/Attend that PublicAPI.Shipped.txt / PublicAPI.Unshipped.txt do not list yet to
# PublicAPI.Unshipped.txt: run it after adding public API on purpose (the build fails with RS0016 "Symbol '…' is not part
# of the declared public API" until then), review the diff, commit it. Removing or changing a listed symbol fails with
# RS0017 instead: that is a breaking change; move the line only if the break is intended.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
project="$root/src/Attend"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# --no-incremental: every RS0016 is reported again; warnings stay errors, so the build "fails" while symbols are missing.
dotnet build "$project" -c Release --no-incremental -p:TreatWarningsAsErrors=false > "$log" 2>&1 || true
added=$(grep -oE "RS0016: Symbol '[^']+'" "$log" | sed -E "s/^RS0016: Symbol '(.*)'$/\1/" | sort -u || true)
if [ -z "$added" ]; then
  grep -E ': error ' "$log" | sort -u || true
  echo "public API: nothing to add"; exit 0
fi
unshipped="$project/PublicAPI.Unshipped.txt"
{ cat "$unshipped"; printf '%s\n' "$added"; } | grep -v '^#nullable enable$' | grep -v '^$' | LC_ALL=C sort -u > "$log.sorted"
{ echo '#nullable enable'; cat "$log.sorted"; } > "$unshipped"
rm -f "$log.sorted"
echo "public API: added $(wc -l <<< "$added") line(s) to src/Attend/PublicAPI.Unshipped.txt"
