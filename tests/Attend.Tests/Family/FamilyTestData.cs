using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Attend;
using Attend.Kernels;
using Xunit;

namespace Attend.Tests.Family;

/// <summary>Fixture files, tolerances and random data for the channel- and score-attention tests.</summary>
internal static class FamilyTestData
{
    public static SafeTensorsFile OpenFixture(string name) =>
        SafeTensors.Open(Path.Combine(AppContext.BaseDirectory, "TestData", "fixtures", name + ".safetensors"));

    public static int Int(SafeTensorsFile file, string key) => int.Parse(file.Metadata[key], CultureInfo.InvariantCulture);

    public static double Atol(SafeTensorsFile file) => double.Parse(file.Metadata["suggested_atol"], CultureInfo.InvariantCulture);

    public static double Rtol(SafeTensorsFile file) => double.Parse(file.Metadata["suggested_rtol"], CultureInfo.InvariantCulture);

    /// <summary>Every (case, path) pair, so each instruction set reports separately.</summary>
    public static TheoryData<string, KernelPath> WithEveryPath(params string[] cases)
    {
        var data = new TheoryData<string, KernelPath>();
        foreach (string name in cases)
        {
            foreach (KernelPath path in KernelPaths.All) data.Add(name, path);
        }

        return data;
    }

    /// <summary>Asserts <c>|actual - expected| ≤ atol + rtol·|expected|</c> everywhere, naming the first index that fails.</summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double atol, double rtol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs((double)actual[i] - expected[i]);
            if (!(error <= atol + rtol * Math.Abs(expected[i])))
            {
                Assert.Fail($"{what}[{i}] = {actual[i].ToString("R", CultureInfo.InvariantCulture)}, expected {expected[i].ToString("R", CultureInfo.InvariantCulture)} (|error| {error:E2} > {atol:E1} + {rtol:E1}·|expected|).");
            }
        }
    }

    /// <summary>As <see cref="AssertClose(ReadOnlySpan{float}, ReadOnlySpan{float}, double, double, string)"/> against a float64 reference; −∞ must match exactly.</summary>
    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double atol, double rtol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (double.IsNegativeInfinity(expected[i]))
            {
                Assert.True(float.IsNegativeInfinity(actual[i]), $"{what}[{i}] = {actual[i]}, expected -∞.");
                continue;
            }

            double error = Math.Abs(actual[i] - expected[i]);
            if (!(error <= atol + rtol * Math.Abs(expected[i])))
            {
                Assert.Fail($"{what}[{i}] = {actual[i].ToString("R", CultureInfo.InvariantCulture)}, expected {expected[i].ToString("R", CultureInfo.InvariantCulture)} (|error| {error:E2} > {atol:E1} + {rtol:E1}·|expected|).");
            }
        }
    }

    public static float[] Random(Random random, int length, double scale = 1)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * scale);
        return values;
    }

    public static WeightDictionary Weights(params (string Name, float[] Data, long[] Shape)[] tensors)
    {
        var weights = new WeightDictionary();
        foreach ((string name, float[] data, long[] shape) in tensors) weights.Add(name, data, shape);
        return weights;
    }

    public static IEnumerable<int> Range(int count) => Enumerable.Range(0, count);
}
