using System;
using Attend;
using Xunit;
using Xunit.Abstractions;
using static Attend.Tests.Family.FamilyTestData;

namespace Attend.Tests.Family;

/// <summary>
/// BAM, Triplet Attention and Selective Kernel attention against the PyTorch fixtures (the shared ones and the
/// <c>*_extra</c> cases of scripts/make_external_attention_cases.py), on every instruction-set path.
/// </summary>
public sealed class ExternalAttentionFixtureTests(ITestOutputHelper output)
{
    public static TheoryData<string, KernelPath> Fixtures => WithEveryPath(
        "bam_r8_d1_small", "bam_r8_d1_medium", "bam_r16_d2_small", "bam_r16_d2_medium",
        "triplet_small", "triplet_medium", "triplet_nospatial_small", "triplet_nospatial_medium",
        "sk_k1357_small", "sk_k1357_medium", "sk_k35_g4_small", "sk_k35_g4_medium",
        "bam_c24_r4_d3_layers1_extra", "bam_c16_r8_d1_layers2_extra", "triplet_c20_extra", "sk_c12_k7_g3_extra", "sk_c16_k135_g2_extra");

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Output_matches_pytorch(string fixture, KernelPath path)
    {
        using SafeTensorsFile file = OpenFixture(fixture);
        int batch = Int(file, "batch"), height = Int(file, "height"), width = Int(file, "width");
        FeatureMapForward forward = ExternalAttentionLayers.Create(LayerFor(fixture), file, path);

        float[] x = file.ReadFloat32("input.x");
        var y = new float[x.Length];
        forward(x, y, batch, height, width, default, default);

        float[] expected = file.ReadFloat32("output.y");
        double worst = 0;
        for (int i = 0; i < y.Length; i++) worst = Math.Max(worst, Math.Abs((double)y[i] - expected[i]));
        output.WriteLine($"{fixture} {path}: max |error| {worst:E2}");
        AssertClose(expected, y, Atol(file), Rtol(file), $"{fixture} {path} y");
    }

    private static string LayerFor(string fixture) => fixture switch
    {
        "bam_r8_d1_small" => nameof(BamC32R8D1),
        "bam_r8_d1_medium" => nameof(BamC128R8D1),
        "bam_r16_d2_small" => nameof(BamC32R16D2),
        "bam_r16_d2_medium" => nameof(BamC128R16D2),
        "triplet_small" => nameof(TripletC6),
        "triplet_medium" => nameof(TripletC64),
        "triplet_nospatial_small" => nameof(TripletC6NoSpatial),
        "triplet_nospatial_medium" => nameof(TripletC64NoSpatial),
        "sk_k1357_small" => nameof(SkC8),
        "sk_k1357_medium" => nameof(SkC32),
        "sk_k35_g4_small" => nameof(SkC8K35G4),
        "bam_c24_r4_d3_layers1_extra" => nameof(BamC24R4D3L1),
        "bam_c16_r8_d1_layers2_extra" => nameof(BamC16R8D1L2),
        "triplet_c20_extra" => nameof(TripletC20),
        "sk_c12_k7_g3_extra" => nameof(SkC12K7G3),
        "sk_c16_k135_g2_extra" => nameof(SkC16K135G2),
        _ => nameof(SkC64K35G4),
    };
}
