using System;
using System.Collections.Generic;
using System.Globalization;
using Attend;
using Xunit;
using Xunit.Abstractions;
using static Attend.Tests.Family.FamilyTestData;

namespace Attend.Tests.FamilyPointwise;

/// <summary>SimAM, Shuffle Attention, CoordAtt, PSA, External Attention and MobileViTv2 attention against the PyTorch fixtures (and the odd-channel PSA cases of scripts/fixtures_pointwise), on every instruction-set path.</summary>
public sealed class PointwiseAttentionFixtureTests(ITestOutputHelper log)
{
    private static readonly Dictionary<string, (string Small, string Medium)> s_layers = new()
    {
        ["simam_default"] = (nameof(SimAmC8), nameof(SimAmC64)),
        ["simam_lambda0p1"] = (nameof(SimAmC8Lambda0p1), nameof(SimAmC64Lambda0p1)),
        ["shuffle_g4"] = (nameof(ShuffleC32G4), nameof(ShuffleC128G4)),
        ["shuffle_g8"] = (nameof(ShuffleC32G8), nameof(ShuffleC128G8)),
        ["coordatt_r4"] = (nameof(CoordC40R4), nameof(CoordC128R4)),
        ["coordatt_r32"] = (nameof(CoordC40R32), nameof(CoordC128R32)),
        ["psa_parallel"] = (nameof(PsaC16Parallel), nameof(PsaC128Parallel)),
        ["psa_sequential"] = (nameof(PsaC16Sequential), nameof(PsaC128Sequential)),
        ["external_attention_s8"] = (nameof(ExternalD15S8), nameof(ExternalD128S8)),
        ["external_attention_s64"] = (nameof(ExternalD15S64), nameof(ExternalD128S64)),
        ["mobilevitv2_repo"] = (nameof(SeparableD15), nameof(SeparableD128)),
        ["mobilevitv2_relu"] = (nameof(SeparableD15Relu), nameof(SeparableD128Relu)),
    };

    public static TheoryData<string, KernelPath> Fixtures()
    {
        var names = new List<string>();
        foreach (string kind in s_layers.Keys)
        {
            names.Add(kind + "_small");
            names.Add(kind + "_medium");
        }

        names.Add("psa_parallel_c15");
        names.Add("psa_sequential_c15");
        return WithEveryPath(names.ToArray());
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Output_and_attention_maps_match_pytorch(string fixture, KernelPath path)
    {
        using SafeTensorsFile file = OpenFixture(fixture);
        string layer = LayerFor(fixture);
        PointwiseForward forward = PointwiseRunner.Create(layer, file, path);

        bool tokens = file.Metadata.ContainsKey("seq_len");
        int batch = Int(file, "batch");
        int size0 = tokens ? Int(file, "seq_len") : Int(file, "height");
        int size1 = tokens ? 0 : Int(file, "width");
        float[] x = file.ReadFloat32("input.x");
        var y = new float[x.Length];
        var extras = new Dictionary<string, float[]>();
        foreach (string name in PointwiseRunner.ExtrasOf(layer)) extras[name] = new float[file.ReadFloat32("output." + name).Length];
        forward(x, y, batch, size0, size1, extras);

        double atol = Atol(file), rtol = Rtol(file);
        Check(file, "y", y, atol, rtol, fixture, path);
        foreach ((string name, float[] actual) in extras) Check(file, name, actual, atol, rtol, fixture, path);
    }

    private static string LayerFor(string fixture)
    {
        if (fixture == "psa_parallel_c15") return nameof(PsaC15Parallel);
        if (fixture == "psa_sequential_c15") return nameof(PsaC15Sequential);
        (string small, string medium) = s_layers[fixture.Substring(0, fixture.LastIndexOf('_'))];
        return fixture.EndsWith("_small", StringComparison.Ordinal) ? small : medium;
    }

    private void Check(SafeTensorsFile file, string name, float[] actual, double atol, double rtol, string fixture, KernelPath path)
    {
        float[] expected = file.ReadFloat32("output." + name);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs((double)actual[i] - expected[i]));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"MAXERR {fixture} {path} {name} {worst:E2}"));
        AssertClose(expected, actual, atol, rtol, $"{fixture} {path} {name}");
    }
}
