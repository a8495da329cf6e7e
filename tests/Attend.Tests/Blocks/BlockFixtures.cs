using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Xunit;

namespace Attend.Tests.Blocks;

/// <summary>Opens the PyTorch fixtures under TestData and compares outputs with the tolerances their metadata suggests.</summary>
internal static class BlockFixtures
{
    public static SafeTensorsFile Open(string folder, string name) =>
        SafeTensors.Open(Path.Combine(AppContext.BaseDirectory, "TestData", folder, name + ".safetensors"));

    /// <summary>|actual − expected| ≤ atol + rtol·|expected| element-wise, atol and rtol from the file's metadata.</summary>
    public static void AssertClose(SafeTensorsFile file, string outputName, ReadOnlySpan<float> actual)
    {
        float[] expected = file.ReadFloat32(outputName);
        double atol = double.Parse(file.Metadata["suggested_atol"], CultureInfo.InvariantCulture);
        double rtol = double.Parse(file.Metadata["suggested_rtol"], CultureInfo.InvariantCulture);
        AssertClose(expected, actual, atol, rtol);
    }

    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double atol, double rtol)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        int worstIndex = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double excess = Math.Abs(actual[i] - expected[i]) - (atol + rtol * Math.Abs(expected[i]));
            if (!(excess <= worst)) { worst = excess; worstIndex = i; }
        }

        Assert.True(worstIndex < 0, worstIndex < 0 ? "" : $"element {worstIndex}: expected {expected[worstIndex]}, got {actual[worstIndex]} (atol {atol}, rtol {rtol})");
    }

    /// <summary>Every explicit kernel path, as theory rows.</summary>
    public static TheoryData<KernelPath> Paths()
    {
        var data = new TheoryData<KernelPath>();
        foreach (KernelPath path in Attend.Kernels.KernelPaths.All) data.Add(path);
        return data;
    }
}

/// <summary>
/// Shows a source's tensors under other names: <c>layers.0.X</c> reads <c>X</c>, so a single
/// <c>TransformerEncoderLayer</c>'s <c>state_dict</c> loads into a one-layer stack.
/// </summary>
internal sealed class PrefixedWeights(IWeightSource inner, string added) : IWeightSource
{
    public IEnumerable<string> Names => inner.Names.Select(n => added + n);

    public bool TryGetInfo(string name, out TensorInfo info)
    {
        if (name.StartsWith(added, StringComparison.Ordinal)) return inner.TryGetInfo(name[added.Length..], out info);
        info = null!;
        return false;
    }

    public void ReadFloat32(string name, Span<float> destination) => inner.ReadFloat32(name[added.Length..], destination);
}
