using System;
using System.Globalization;
using Xunit.Sdk;

namespace Attend.Tests.Layers;

/// <summary>Tolerance checks shared by the Layers tests; every failure names the worst element and the error found.</summary>
internal static class LayerAssert
{
    /// <summary>
    /// Asserts <c>max |actual − expected| ≤ relative · max(1, max |expected|)</c> over the elements <paramref name="include"/>
    /// selects (all when null), that no compared actual value is NaN or infinite, and that the lengths agree.
    /// </summary>
    /// <returns>The largest absolute error.</returns>
    public static double Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double relative, string what, Func<int, bool>? include = null)
    {
        double[] wide = new double[expected.Length];
        for (int n = 0; n < wide.Length; n++)
        {
            wide[n] = expected[n];
        }

        return Close(wide, actual, relative, what, include);
    }

    /// <inheritdoc cref="Close(ReadOnlySpan{float}, ReadOnlySpan{float}, double, string, Func{int, bool}?)"/>
    public static double Close(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double relative, string what, Func<int, bool>? include = null)
    {
        if (expected.Length != actual.Length)
        {
            throw new XunitException($"{what}: expected {expected.Length} elements, got {actual.Length}.");
        }

        double scale = 0;
        for (int n = 0; n < expected.Length; n++)
        {
            if (include != null && !include(n))
            {
                continue;
            }

            if (!double.IsFinite(expected[n]))
            {
                throw new XunitException($"{what}[{n}]: the expected value {expected[n]} is not finite; compare such elements separately.");
            }

            scale = Math.Max(scale, Math.Abs(expected[n]));
        }

        double tolerance = relative * Math.Max(1.0, scale);
        double worst = 0;
        int worstAt = -1;
        for (int n = 0; n < expected.Length; n++)
        {
            if (include != null && !include(n))
            {
                continue;
            }

            if (!float.IsFinite(actual[n]))
            {
                throw new XunitException($"{what}[{n}]: got {actual[n]}, expected {Text(expected[n])} (no NaN or infinity may appear).");
            }

            double error = Math.Abs(actual[n] - expected[n]);
            if (error > worst)
            {
                worst = error;
                worstAt = n;
            }
        }

        if (worst > tolerance)
        {
            throw new XunitException(
                $"{what}: max |actual − expected| = {Text(worst)} at [{worstAt}] (expected {Text(expected[worstAt])}, got {Text(actual[worstAt])}) " +
                $"exceeds {Text(relative)} · max(1, max|expected| = {Text(scale)}) = {Text(tolerance)}.");
        }

        return worst;
    }

    /// <summary>Asserts every element <paramref name="include"/> selects is exactly +0 or −0 (so never NaN).</summary>
    public static void Zero(ReadOnlySpan<float> actual, string what, Func<int, bool> include)
    {
        int count = 0;
        for (int n = 0; n < actual.Length; n++)
        {
            if (!include(n))
            {
                continue;
            }

            count++;
            if (actual[n] != 0f)
            {
                throw new XunitException($"{what}[{n}]: a fully masked row must be exactly 0, got {actual[n]}.");
            }
        }

        if (count == 0)
        {
            throw new XunitException($"{what}: no element was selected; the test's mask is not what it expects.");
        }
    }

    /// <summary>Asserts the two spans are bit-identical, naming the first difference.</summary>
    public static void Identical(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        if (expected.Length != actual.Length)
        {
            throw new XunitException($"{what}: expected {expected.Length} elements, got {actual.Length}.");
        }

        for (int n = 0; n < expected.Length; n++)
        {
            if (BitConverter.SingleToInt32Bits(expected[n]) != BitConverter.SingleToInt32Bits(actual[n]))
            {
                throw new XunitException($"{what}[{n}]: {Text(expected[n])} vs {Text(actual[n])}; the results must be bit-identical.");
            }
        }
    }

    public static string Text(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
