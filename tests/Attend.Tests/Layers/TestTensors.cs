using System;
using System.IO;
using System.Linq;
using Xunit.Sdk;

namespace Attend.Tests.Layers;

/// <summary>Small tensor utilities for the Layers tests: fixture paths, shapes, layouts and seeded random data.</summary>
internal static class TestTensors
{
    /// <summary>The PyTorch fixtures checked in with the tests (copied to the output folder).</summary>
    public static string FixtureFolder => Path.Combine(AppContext.BaseDirectory, "TestData", "fixtures");

    /// <summary>A tensor's dimensions as ints; a missing tensor fails the test naming it.</summary>
    public static int[] Dims(IWeightSource file, string name) =>
        file.TryGetInfo(name, out TensorInfo? info)
            ? info.Shape.Select(d => checked((int)d)).ToArray()
            : throw new XunitException($"tensor '{name}' is missing.");

    /// <summary><c>[B, H, S, W]</c> → <c>[B, S, H·W]</c>.</summary>
    public static float[] ToHidden(float[] data, int batch, int heads, int length, int width)
    {
        var result = new float[data.Length];
        for (int b = 0; b < batch; b++)
        {
            for (int h = 0; h < heads; h++)
            {
                for (int s = 0; s < length; s++)
                {
                    Array.Copy(data, ((b * heads + h) * length + s) * width, result, ((b * length + s) * heads + h) * width, width);
                }
            }
        }

        return result;
    }

    /// <summary><c>[B, S, H·W]</c> → <c>[B, H, S, W]</c>.</summary>
    public static float[] FromHidden(float[] data, int batch, int heads, int length, int width)
    {
        var result = new float[data.Length];
        for (int b = 0; b < batch; b++)
        {
            for (int h = 0; h < heads; h++)
            {
                for (int s = 0; s < length; s++)
                {
                    Array.Copy(data, ((b * length + s) * heads + h) * width, result, ((b * heads + h) * length + s) * width, width);
                }
            }
        }

        return result;
    }

    /// <summary><paramref name="count"/> values uniform in <c>[−bound, bound)</c>.</summary>
    public static float[] Uniform(Random random, int count, double bound) => MhaWeights.Uniform(random, count, bound);

    /// <summary>An array of <paramref name="length"/> copies of <paramref name="value"/>.</summary>
    public static float[] Filled(int length, float value)
    {
        var data = new float[length];
        Array.Fill(data, value);
        return data;
    }
}
