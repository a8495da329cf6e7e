using System;
using System.Globalization;
using System.IO;
using Attend;
using Attend.Samples.DigitsSqueezeExcitation;
using Xunit;

namespace Attend.Tests.Family;

/// <summary>The digits sample reproduces, on every instruction set, the test accuracy and predictions PyTorch measured.</summary>
public sealed class DigitsSampleTests
{
    public static TheoryData<KernelPath> Paths()
    {
        var data = new TheoryData<KernelPath>();
        foreach (KernelPath path in Attend.Kernels.KernelPaths.All) data.Add(path);
        return data;
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Reproduces_pytorch_accuracy_and_class_scores(KernelPath path)
    {
        using SafeTensorsFile file = SafeTensors.Open(Path.Combine(AppContext.BaseDirectory, "weights", "digits_se.safetensors"));
        float[] images = file.ReadFloat32("test.images");
        long[] labels = file.ReadInt64("test.labels");
        float[] expected = file.ReadFloat32("test.logits");
        var net = new DigitsNet(file) { Path = path };

        float[] logits = net.Logits(images, labels.Length);

        int correct = 0;
        for (int n = 0; n < labels.Length; n++)
        {
            int predicted = ArgMax(logits.AsSpan(n * DigitsNet.Classes, DigitsNet.Classes));
            Assert.Equal(ArgMax(expected.AsSpan(n * DigitsNet.Classes, DigitsNet.Classes)), predicted);
            if (predicted == labels[n]) correct++;
        }

        Assert.Equal(int.Parse(file.Metadata["test_correct"], CultureInfo.InvariantCulture), correct);
        FamilyTestData.AssertClose(expected, logits, 1e-4, 1e-4, $"digits logits {path}");
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best]) best = i;
        }

        return best;
    }
}
