using Attend;
using Xunit;
using static Attend.Tests.Family.FamilyTestData;

namespace Attend.Tests.Family;

/// <summary>Squeeze-and-excitation, ECA and CBAM against the PyTorch fixtures, on every instruction-set path.</summary>
public sealed class ChannelAttentionFixtureTests
{
    public static TheoryData<string, KernelPath> Fixtures => WithEveryPath(
        "se_r4_sigmoid_small", "se_r16_sigmoid_small", "se_r4_hardsigmoid_small",
        "se_r4_sigmoid_medium", "se_r16_sigmoid_medium", "se_r4_hardsigmoid_medium",
        "eca_small", "eca_medium", "cbam_small", "cbam_medium");

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Output_and_scales_match_pytorch(string fixture, KernelPath path)
    {
        using SafeTensorsFile file = OpenFixture(fixture);
        int batch = Int(file, "batch"), channels = Int(file, "channels"), height = Int(file, "height"), width = Int(file, "width");
        FeatureMapForward forward = ChannelLayers.Create(LayerFor(fixture), file, path);
        bool cbam = fixture.StartsWith("cbam", System.StringComparison.Ordinal);

        float[] x = file.ReadFloat32("input.x");
        var y = new float[x.Length];
        var channelScale = new float[batch * channels];
        var spatialScale = new float[cbam ? batch * height * width : 0];
        forward(x, y, batch, height, width, channelScale, spatialScale);

        double atol = Atol(file), rtol = Rtol(file);
        AssertClose(file.ReadFloat32("output.y"), y, atol, rtol, $"{fixture} {path} y");
        AssertClose(file.ReadFloat32(cbam ? "output.channel_scale" : "output.scale"), channelScale, atol, rtol, $"{fixture} {path} channel scale");
        if (cbam) AssertClose(file.ReadFloat32("output.spatial_scale"), spatialScale, atol, rtol, $"{fixture} {path} spatial scale");
    }

    [Fact]
    public void Eca_kernel_size_is_the_adaptive_rule_the_fixtures_used()
    {
        // The layer's constant comes from the generator's rule; the fixture states what PyTorch used.
        using SafeTensorsFile small = OpenFixture("eca_small");
        using SafeTensorsFile medium = OpenFixture("eca_medium");
        Assert.Equal(EcaC32.KernelSize, Int(small, "kernel_size"));
        Assert.Equal(EcaC256.KernelSize, Int(medium, "kernel_size"));
    }

    private static string LayerFor(string fixture) => fixture switch
    {
        "se_r4_sigmoid_small" => nameof(SeC32R4),
        "se_r16_sigmoid_small" => nameof(SeC32R16),
        "se_r4_hardsigmoid_small" => nameof(SeC32R4Hard),
        "se_r4_sigmoid_medium" => nameof(SeC256R4),
        "se_r16_sigmoid_medium" => nameof(SeC256R16),
        "se_r4_hardsigmoid_medium" => nameof(SeC256R4Hard),
        "eca_small" => nameof(EcaC32),
        "eca_medium" => nameof(EcaC256),
        "cbam_small" => nameof(CbamC32),
        _ => nameof(CbamC256),
    };
}
