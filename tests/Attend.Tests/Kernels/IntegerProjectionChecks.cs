using System;
using Attend.Kernels;
using Attend.Tests.Layers;
using Xunit;

namespace Attend.Tests.Kernels;

/// <summary>What the integer projections' tests (<see cref="Int8GemmTests"/>, <see cref="ByteActivationGemmTests"/>) check alike.</summary>
internal static class IntegerProjectionChecks
{
    /// <summary>
    /// For every shape, with and without a bias: <paramref name="precision"/>'s projection on <paramref name="path"/> gives
    /// exactly <paramref name="reference"/>'s bits, and stays within the roundings' bound of the float64 product
    /// (<see cref="AssertWithinRoundingBound"/>).
    /// </summary>
    public static void ForEachShape(KernelPath path, WeightPrecision precision, (int Rows, int In, int Out)[] shapes, int seedFactor,
        Func<LinearCase, float[]> reference, Func<LinearCase, int, double[]> activationHalfSteps)
    {
        foreach (var (rows, inFeatures, outFeatures) in shapes)
        {
            foreach (bool withBias in new[] { true, false })
            {
                var c = LinearCase.Create(seed: rows * seedFactor + inFeatures + outFeatures, rows, inFeatures, outFeatures, inputPad: 3, outputPad: 5, withBias);
                var projection = new PackedProjection(inFeatures, outFeatures);
                projection.Pack(c.Weight, precision);
                float[] actual = PackedProjectionTests.Run(c, output => ProjectionDriver.Forward(path, c.Input, rows, c.InputStride, projection, c.Bias, inFeatures, outFeatures, output, c.OutputStride, 1));
                LayerAssert.Identical(reference(c), actual, $"{path} {rows}×{inFeatures}→{outFeatures} bias {withBias}");
                AssertWithinRoundingBound(c, projection.Dequantize(), actual, activationHalfSteps);
            }
        }
    }

    /// <summary>
    /// Each output within the roundings' bound of the float64 product of the original weights: <c>Σ |x| · |w − ŵ|</c> for the
    /// weights, <c>Σ |ŵ| · h[k]</c> for the activations (<paramref name="activationHalfSteps"/>: per input of a row, half the
    /// step it was rounded to), plus 1e-5 of the magnitude.
    /// </summary>
    public static void AssertWithinRoundingBound(LinearCase c, float[] rounded, float[] actual, Func<LinearCase, int, double[]> activationHalfSteps)
    {
        for (int r = 0; r < c.Rows; r++)
        {
            double[] halfSteps = activationHalfSteps(c, r);
            for (int n = 0; n < c.OutFeatures; n++)
            {
                double exact = c.Bias.Length == 0 ? 0 : c.Bias[n], magnitude = Math.Abs(exact), bound = 0;
                for (int k = 0; k < c.InFeatures; k++)
                {
                    double x = c.Input[r * c.InputStride + k], w = c.Weight[n * c.InFeatures + k], w8 = rounded[n * c.InFeatures + k];
                    exact += x * w;
                    magnitude += Math.Abs(x * w);
                    bound += Math.Abs(x) * Math.Abs(w - w8) + Math.Abs(w8) * halfSteps[k];
                }

                double error = Math.Abs(actual[r * c.OutputStride + n] - exact);
                Assert.True(error <= bound + 1e-5 * magnitude + 1e-6, $"row {r} output {n}: |Δ| {error:E3} > {bound:E3}");
            }
        }
    }
}
