using System;
using System.IO;
using System.Runtime.CompilerServices;
using Xunit;

namespace Attend.Generators.Tests.Infrastructure;

/// <summary>
/// Verify-style snapshots: the expected text lives in <c>Snapshots/{name}.verified.cs</c> beside the
/// tests; a mismatch writes <c>{name}.received.cs</c> next to it and fails. Set
/// <c>ATTEND_ACCEPT_SNAPSHOTS=1</c> to overwrite the verified files with what was received.
/// </summary>
internal static class Snapshot
{
    public const string AcceptVariable = "ATTEND_ACCEPT_SNAPSHOTS";

    /// <summary>
    /// Pins every shared head kernel file of <paramref name="result"/> as <c>Kernels_HeadKernels_D…_Dv….verified.cs</c>. The
    /// snapshots compile into this assembly, so each layer snapshot needs the kernel struct it names beside it.
    /// </summary>
    public static void MatchKernels(Microsoft.CodeAnalysis.GeneratorRunResult result, [CallerFilePath] string callerPath = "")
    {
        foreach (Microsoft.CodeAnalysis.GeneratedSourceResult kernels in GeneratorHarness.KernelSources(result))
        {
            Match("Kernels_" + kernels.HintName.Split('.')[2], kernels.SourceText.ToString(), callerPath);
        }
    }

    public static void Match(string name, string actual, [CallerFilePath] string callerPath = "")
    {
        string folder = Path.Combine(Path.GetDirectoryName(callerPath)!, "Snapshots");
        string verified = Path.Combine(folder, name + ".verified.cs");
        string received = Path.Combine(folder, name + ".received.cs");
        actual = actual.Replace("\r\n", "\n");

        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(verified, actual);
            if (File.Exists(received)) File.Delete(received);
            return;
        }

        string? expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            if (File.Exists(received)) File.Delete(received);
            return;
        }

        File.WriteAllText(received, actual);
        Assert.Fail(expected is null
            ? $"No snapshot {verified}; wrote {received}. Review it, then rerun with {AcceptVariable}=1 to accept."
            : $"Generated source differs from {verified}; wrote {received}. Diff the two, then rerun with {AcceptVariable}=1 to accept.\n{FirstDifference(expected, actual)}");
    }

    private static string FirstDifference(string expected, string actual)
    {
        string[] e = expected.Split('\n');
        string[] a = actual.Split('\n');
        for (int i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            string left = i < e.Length ? e[i] : "<end>";
            string right = i < a.Length ? a[i] : "<end>";
            if (left != right) return $"line {i + 1}:\n  verified: {left}\n  received: {right}";
        }

        return "";
    }
}
