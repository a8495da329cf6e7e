#!/usr/bin/env bash
# Checks the Attend package as users get it: packs it into a local folder, creates a fresh console project that
# references the package from that folder (NuGet.org supplies System.Numerics.Tensors), declares a layer, builds it
# with warnings as errors and runs it against a PyTorch fixture. Prints one "package check: ..." line; exit 0 = green.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
# A version no cache has seen, so the consumer cannot pick up a stale package.
version="0.1.0-check.$(date +%s).$$"
packages=$(dotnet nuget locals global-packages --list | sed -E 's/^global-packages: *//')
cleanup() { rm -rf "$work" "$packages/attend/$version"; }
trap cleanup EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

dotnet pack "$root/src/Attend" -c Release -o "$work/feed" -p:Version="$version" > "$work/pack.log" 2>&1 || { cat "$work/pack.log"; exit 1; }
package="$work/feed/Attend.$version.nupkg"
contents=$(unzip -Z1 "$package")
for expected in lib/net10.0/Attend.dll lib/net10.0/Attend.xml analyzers/dotnet/cs/Attend.Generators.dll analyzers/dotnet/cs/Attend.CodeFixes.dll README.md; do
  grep -qx "$expected" <<< "$contents" || { echo "package check: FAILED, $expected missing from the package"; exit 1; }
done
nuspec=$(unzip -p "$package" Attend.nuspec)
grep -q '<license type="expression">MIT</license>' <<< "$nuspec" || { echo "package check: FAILED, no MIT license expression"; exit 1; }
if grep -q '<icon>' <<< "$nuspec"; then echo "package check: FAILED, the package has an icon"; exit 1; fi
# NativeAOT's instruction-set default reaches every consumer, direct or transitive.
grep -qx buildTransitive/Attend.targets <<< "$contents" || { echo "package check: FAILED, buildTransitive/Attend.targets missing"; exit 1; }
# Where it comes from: the repository (with the commit it was built from) and the project page.
repository_url=$(cd "$root" && dotnet msbuild src/Attend -getProperty:RepositoryUrl)
grep -E "<repository type=\"git\" url=\"$repository_url\"" <<< "$nuspec" | grep -qE 'commit="[0-9a-f]{40}"' \
  || { echo "package check: FAILED, no <repository> with url $repository_url and a commit in the nuspec"; exit 1; }
grep -q "<projectUrl>$repository_url</projectUrl>" <<< "$nuspec" || { echo "package check: FAILED, no projectUrl"; exit 1; }
# Symbols: a .snupkg with Attend.pdb whose Source Link maps the sources to raw files of that repository at that commit.
symbols="$work/feed/Attend.$version.snupkg"
[ -f "$symbols" ] || { echo "package check: FAILED, no symbol package (.snupkg)"; exit 1; }
unzip -p "$symbols" lib/net10.0/Attend.pdb > "$work/Attend.pdb" || { echo "package check: FAILED, no lib/net10.0/Attend.pdb in the .snupkg"; exit 1; }
commit=$(grep -oE 'commit="[0-9a-f]{40}"' <<< "$nuspec" | cut -d'"' -f2)
raw_url="${repository_url/github.com/raw.githubusercontent.com}/$commit/"
grep -aqF "$raw_url" "$work/Attend.pdb" || { echo "package check: FAILED, the PDB has no Source Link to $raw_url"; exit 1; }
# Package validation ran as part of pack (EnablePackageValidation), and the public API is declared.
[ "$(cd "$root" && dotnet msbuild src/Attend -getProperty:EnablePackageValidation)" = true ] || { echo "package check: FAILED, package validation is off"; exit 1; }
api_lines=$(cat "$root/src/Attend/PublicAPI.Shipped.txt" "$root/src/Attend/PublicAPI.Unshipped.txt" | grep -cv '^#' || true)
[ "$api_lines" -gt 0 ] || { echo "package check: FAILED, src/Attend/PublicAPI.*.txt declare no public API"; exit 1; }

consumer="$work/consumer"
mkdir -p "$consumer"
cp "$root/tests/Attend.Tests/TestData/fixtures/mha_self_causal_small.safetensors" "$consumer/"
cat > "$consumer/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$work/feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
XML
# A strict user: warnings are errors and public members need docs, so generated code must be clean on both counts.
cat > "$consumer/Consumer.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
    <GenerateDocumentationFile>true</GenerateDocumentationFile>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Attend" Version="$version" />
    <None Include="*.safetensors" CopyToOutputDirectory="PreserveNewest" />
  </ItemGroup>
</Project>
XML
cat > "$consumer/Program.cs" <<'CS'
using System;
using System.IO;
using Attend;

using SafeTensorsFile file = SafeTensors.Open(Path.Combine(AppContext.BaseDirectory, "mha_self_causal_small.safetensors"));
var layer = new Consumer.SmallCausalAttention();
layer.LoadWeights(file);
float[] x = file.ReadFloat32("input.x");
float[] expected = file.ReadFloat32("output.y");
float[] y = new float[x.Length];
double worst = 0, scale = 0;
foreach (KernelPath path in Attend.Kernels.KernelPaths.All)
{
    layer.Path = path;
    layer.Forward(x, y, batch: 2, queryLength: 7);
    for (int i = 0; i < y.Length; i++)
    {
        worst = Math.Max(worst, Math.Abs(y[i] - expected[i]));
        scale = Math.Max(scale, Math.Abs(expected[i]));
    }
}

bool ok = worst <= 1e-4 * Math.Max(scale, 1e-3);
Console.WriteLine($"max |Attend - PyTorch| = {worst:E2} over {Attend.Kernels.KernelPaths.All.Length} kernel paths (output scale {scale:F3}): {(ok ? "OK" : "TOO FAR")}");
return ok ? 0 : 1;

namespace Consumer
{
    /// <summary>Declared as a user of the package would; the generator fills in the rest.</summary>
    [MultiHeadAttention(ModelDim = 15, Heads = 3, Mask = AttentionMask.Causal)]
    public partial class SmallCausalAttention;
}
CS
# Outside the repository, so none of its Directory.*.props apply: the package alone must be enough.
(cd "$consumer" && dotnet build -c Release > "$work/build.log" 2>&1) || { cat "$work/build.log"; echo "package check: FAILED, the consumer did not build"; exit 1; }
if ! result=$(cd "$consumer" && dotnet run -c Release --no-build 2>&1); then
  echo "$result"; echo "package check: FAILED, the consumer's output is wrong"; exit 1
fi
# What the package's buildTransitive/Attend.targets gives a consumer's NativeAOT publish, as MSBuild evaluates it: x86-64-v3
# by default, the user's own choice kept, and warning ATTENDAOT001 for an x64 instruction set without AVX2.
aot_default=$(cd "$consumer" && dotnet msbuild -getProperty:IlcInstructionSet -p:PublishAot=true -p:RuntimeIdentifier=linux-x64)
[ "$aot_default" = x86-64-v3 ] || { echo "package check: FAILED, a PublishAot=true consumer gets IlcInstructionSet '$aot_default', expected x86-64-v3"; exit 1; }
aot_kept=$(cd "$consumer" && dotnet msbuild -getProperty:IlcInstructionSet -p:PublishAot=true -p:RuntimeIdentifier=linux-x64 -p:IlcInstructionSet=x86-64-v4)
[ "$aot_kept" = x86-64-v4 ] || { echo "package check: FAILED, the consumer's own IlcInstructionSet=x86-64-v4 became '$aot_kept'"; exit 1; }
aot_warning() { (cd "$consumer" && dotnet msbuild -nologo -t:_AttendWarnVector128OnlyAot -p:PublishAot=true -p:RuntimeIdentifier=linux-x64 "$@" 2>&1 || true) | grep -c 'warning ATTENDAOT001' || true; }
[ "$(aot_warning -p:IlcInstructionSet=x86-64-v2)" -ge 1 ] || { echo "package check: FAILED, no ATTENDAOT001 warning for IlcInstructionSet=x86-64-v2"; exit 1; }
aot_message() { (cd "$consumer" && dotnet msbuild -nologo -t:_AttendWarnVector128OnlyAot -p:PublishAot=true -p:RuntimeIdentifier=linux-x64 "$@" 2>&1 || true) | grep -o 'NativeAOT compiles for [^,]*' | head -1; }
[ "$(aot_message -p:AttendAotInstructionSet=false)" = "NativeAOT compiles for NativeAOT's default target (no AVX)" ] \
  || { echo "package check: FAILED, no ATTENDAOT001 warning naming NativeAOT's own default target"; exit 1; }
[ "$(aot_message -p:IlcInstructionSet=x86-64-v2)" = "NativeAOT compiles for 'x86-64-v2'" ] \
  || { echo "package check: FAILED, ATTENDAOT001 does not name the user's IlcInstructionSet"; exit 1; }
[ "$(aot_warning)" -eq 0 ] || { echo "package check: FAILED, ATTENDAOT001 for the default x86-64-v3"; exit 1; }
[ "$(aot_warning -p:IlcInstructionSet=native)" -eq 0 ] || { echo "package check: FAILED, ATTENDAOT001 for IlcInstructionSet=native"; exit 1; }
echo "package check: Attend $version packed (runtime + generator + code fixes under analyzers/dotnet/cs, buildTransitive targets (AOT default x86-64-v3, user's choice kept, ATTENDAOT001 without AVX2), README, MIT, no icon, repository $repository_url at ${commit:0:8}, .snupkg with Source Link, package validation, $api_lines public API lines tracked), consumed from a local folder, built with warnings as errors, ran: $result"
