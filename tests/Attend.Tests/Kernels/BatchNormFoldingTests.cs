using System;
using System.IO;
using Attend.Kernels;
using Xunit;

namespace Attend.Tests.Kernels;

public class BatchNormFoldingTests
{
    [Fact]
    public void FoldedConvolution_EqualsConvolutionThenBatchNorm()
    {
        // A 1×1 convolution over 3 input channels to 2 outputs, applied to one pixel.
        float[] weight = { 0.5f, -1f, 2f, 1.5f, 0.25f, -0.75f };
        float[] bias = { 0.1f, -0.2f };
        float[] gamma = { 1.3f, 0.7f }, beta = { -0.4f, 0.2f }, mean = { 0.05f, -0.3f }, variance = { 0.8f, 2.5f };
        float[] x = { 0.9f, -0.6f, 0.35f };
        const float epsilon = 1e-5f;

        double[] expected = new double[2];
        for (int o = 0; o < 2; o++)
        {
            double conv = bias[o];
            for (int i = 0; i < 3; i++) conv += weight[o * 3 + i] * (double)x[i];
            expected[o] = (conv - mean[o]) / Math.Sqrt(variance[o] + epsilon) * gamma[o] + beta[o];
        }

        BatchNormFolding.Fold(weight, bias, gamma, beta, mean, variance, epsilon);

        for (int o = 0; o < 2; o++)
        {
            double folded = bias[o];
            for (int i = 0; i < 3; i++) folded += weight[o * 3 + i] * (double)x[i];
            Assert.Equal(expected[o], folded, 1e-6);
        }
    }

    [Fact]
    public void ReadFolded_ReadsPyTorchNames_AndFoldsWithoutConvBias()
    {
        var source = new WeightDictionary();
        source.Add("m.conv.weight", new[] { 2f, 4f }, 2, 1, 1, 1);
        source.Add("m.bn.weight", new[] { 1f, 3f }, 2);
        source.Add("m.bn.bias", new[] { 0.5f, -1f }, 2);
        source.Add("m.bn.running_mean", new[] { 1f, 2f }, 2);
        source.Add("m.bn.running_var", new[] { 4f, 0.25f }, 2);

        (float[] weight, float[] bias) = BatchNormFolding.ReadFolded(source, "m.", "conv", hasBias: false, "bn", 0f, 2, 1, 1, 1);

        // s = γ/√σ² = 1/2 and 3/(1/2) = 6; with no conv bias, b' = −μ·s + β.
        Assert.Equal(new[] { 1f, 24f }, weight);
        Assert.Equal(new[] { -0.5f + 0.5f, -12f - 1f }, bias);
    }

    [Fact]
    public void ReadFolded_RefusesNegativeVariance_NamingTheTensor()
    {
        var source = new WeightDictionary();
        source.Add("conv.weight", new[] { 1f }, 1, 1);
        source.Add("bn.weight", new[] { 1f }, 1);
        source.Add("bn.bias", new[] { 0f }, 1);
        source.Add("bn.running_mean", new[] { 0f }, 1);
        source.Add("bn.running_var", new[] { -1f }, 1);

        var error = Assert.Throws<InvalidDataException>(() => BatchNormFolding.ReadFolded(source, "", "conv", false, "bn", 1e-5f, 1, 1));
        Assert.Contains("bn.running_var", error.Message);
    }

    [Fact]
    public void Fold_RefusesMismatchedLengths_NamingTheArgument()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            BatchNormFolding.Fold(new float[4], new float[2], new float[3], new float[2], new float[2], new float[2], 1e-5f));
        Assert.Equal("gamma", error.ParamName);
    }
}
