using System;
using System.IO;
using Xunit;

namespace Attend.Tests.FamilyGraph;

/// <summary>One reference file under TestData (a shared PyTorch fixture or one of this folder's own), read with the library's reader.</summary>
internal sealed class FamilyFixture : IDisposable
{
    private FamilyFixture(string path)
    {
        File = SafeTensors.Open(path);
        Atol = Metadata("suggested_atol", 1e-5);
        Rtol = Metadata("suggested_rtol", 1e-4);
    }

    public SafeTensorsFile File { get; }

    public double Atol { get; }

    public double Rtol { get; }

    /// <summary>A case copied from the shared fixtures into <c>TestData/fixtures</c>.</summary>
    public static FamilyFixture Shared(string name) => new(Path.Combine(AppContext.BaseDirectory, "TestData", "fixtures", name + ".safetensors"));

    /// <summary>A case written by <c>TestData/family/make_family_fixtures.py</c>.</summary>
    public static FamilyFixture Own(string name) => new(Path.Combine(AppContext.BaseDirectory, "TestData", "family", name + ".safetensors"));

    public float[] Floats(string name) => File.ReadFloat32(name);

    public int[] Ints(string name) => Array.ConvertAll(File.ReadInt64(name), v => checked((int)v));

    public bool[] Bools(string name) => File.ReadBool(name);

    public int Dim(string name, int axis) => (int)File.Tensors[IndexOf(name)].Shape[axis];

    public int MetaInt(string key) => int.Parse(File.Metadata[key], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Asserts <c>|actual − expected| ≤ atol + rtol·|expected|</c> everywhere, the fixtures' own rule (check_fixtures.py).</summary>
    public void AssertClose(string what, ReadOnlySpan<float> expected, ReadOnlySpan<float> actual) => FamilyAssert.Close(what, expected, actual, Atol, Rtol);

    public void Dispose() => File.Dispose();

    private double Metadata(string key, double fallback) =>
        File.Metadata.TryGetValue(key, out string? text) ? double.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : fallback;

    private int IndexOf(string name)
    {
        for (int i = 0; i < File.Tensors.Count; i++)
        {
            if (File.Tensors[i].Name == name) return i;
        }

        throw new InvalidDataException($"{name} is not in the fixture.");
    }
}

/// <summary>Element-wise closeness with a message that says where and by how much.</summary>
internal static class FamilyAssert
{
    public static void Close(string what, ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double atol, double rtol)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        int worstIndex = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.False(float.IsNaN(actual[i]), $"{what}[{i}] is NaN");
            double error = Math.Abs((double)actual[i] - expected[i]);
            double excess = error - (atol + rtol * Math.Abs(expected[i]));
            if (excess > worst)
            {
                worst = excess;
                worstIndex = i;
            }
        }

        Assert.True(worstIndex < 0, worstIndex < 0 ? "" : $"{what}[{worstIndex}] = {actual[worstIndex]:R}, expected {expected[worstIndex]:R} (atol {atol}, rtol {rtol})");
    }

    /// <summary>Closeness to a float64 reference.</summary>
    public static void Close(string what, ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double atol, double rtol)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            Assert.True(error <= atol + rtol * Math.Abs(expected[i]), $"{what}[{i}] = {actual[i]:R}, float64 reference {expected[i]:R} (atol {atol}, rtol {rtol})");
        }
    }
}
