using System;
using Attend;
using Xunit;
using Xunit.Abstractions;
using static Attend.Tests.Family.FamilyTestData;

namespace Attend.Tests.ImageAttention;

/// <summary>DANet position/channel attention and convolutional self-attention against the PyTorch fixtures, on every instruction-set path.</summary>
public sealed class ImageAttentionFixtureTests(ITestOutputHelper output)
{
    public static TheoryData<string, KernelPath> Danet => WithEveryPath(
        "danet_pam_repo_small", "danet_pam_repo_medium", "danet_pam_official_small", "danet_pam_official_medium",
        "danet_cam_repo_small", "danet_cam_repo_medium", "danet_cam_official_small", "danet_cam_official_medium");

    public static TheoryData<string, KernelPath> AttentionAsConvolution => WithEveryPath(
        "attnconv_k3_small", "attnconv_k5_small", "attnconv_k3_soft_small",
        "attnconv_k3_medium", "attnconv_k5_medium", "attnconv_k3_soft_medium");

    [Theory]
    [MemberData(nameof(Danet))]
    public void Danet_output_matches_pytorch(string fixture, KernelPath path)
    {
        using SafeTensorsFile file = OpenFixture(fixture);
        int batch = Int(file, "batch"), height = Int(file, "height"), width = Int(file, "width");
        ImageForward forward = ImageAttentionLayers.Create(ImageAttentionLayers.For(fixture), file, path);
        float[] x = file.ReadFloat32("input.x");
        var y = new float[x.Length];
        forward(x, y, batch, height, width);
        Check(file, "output.y", y, $"{fixture} {path} y");
    }

    [Theory]
    [MemberData(nameof(AttentionAsConvolution))]
    public void Attention_output_matches_pytorch(string fixture, KernelPath path)
    {
        using SafeTensorsFile file = OpenFixture(fixture);
        int batch = Int(file, "batch"), height = Int(file, "height"), width = Int(file, "width"), outChannels = Int(file, "out_channels");
        ImageForward forward = ImageAttentionLayers.Create(ImageAttentionLayers.For(fixture), file, path, prefix: "attn.");
        var y = new float[batch * outChannels * height * width];
        forward(file.ReadFloat32("input.x"), y, batch, height, width);
        Check(file, "output.y_attention", y, $"{fixture} {path} y_attention");
        if (file.Metadata["equals_conv"] == "true")
        {
            // The paper's claim: the converted layer is the convolution, to 1e-5 absolute.
            AssertClose(file.ReadFloat32("output.y_conv"), y, 1e-5, 0, $"{fixture} {path} y vs y_conv");
            output.WriteLine($"{fixture} {path}: max |y - y_conv| = {MaxError(file.ReadFloat32("output.y_conv"), y):E2}");
        }
    }

    private void Check(SafeTensorsFile file, string name, float[] actual, string what)
    {
        float[] expected = file.ReadFloat32(name);
        output.WriteLine($"{what}: max |error| = {MaxError(expected, actual):E2}");
        AssertClose(expected, actual, Atol(file), Rtol(file), what);
    }

    internal static double MaxError(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        double max = 0;
        for (int i = 0; i < expected.Length; i++) max = Math.Max(max, Math.Abs((double)actual[i] - expected[i]));
        return max;
    }
}
