using Attend;
using Xunit;
using static Attend.Tests.Family.FamilyTestData;

namespace Attend.Tests.Family;

/// <summary>Dot, general, cosine and additive score attention against the PyTorch (d2l-style) fixtures, on every path.</summary>
public sealed class ScoreAttentionFixtureTests
{
    public static TheoryData<string, KernelPath> Fixtures => WithEveryPath(
        "attn_additive_small", "attn_general_small", "attn_dot_small", "attn_cosine_small",
        "attn_additive_medium", "attn_general_medium", "attn_dot_medium", "attn_cosine_medium");

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Output_weights_and_scores_match_pytorch(string fixture, KernelPath path)
    {
        using SafeTensorsFile file = OpenFixture(fixture);
        int batch = Int(file, "batch"), queryLength = Int(file, "q_len"), keyLength = Int(file, "k_len");
        ScoreForward forward = ScoreLayers.Create(LayerFor(fixture), file, path);

        float[] queries = file.ReadFloat32("input.queries"), keys = file.ReadFloat32("input.keys"), values = file.ReadFloat32("input.values");
        var y = new float[batch * queryLength * Int(file, "value_size")];
        var weights = new float[batch * queryLength * keyLength];
        var scores = new float[weights.Length];
        forward(queries, keys, values, y, batch, queryLength, keyLength, default, default, default, weights, scores);

        double atol = Atol(file), rtol = Rtol(file);
        AssertClose(file.ReadFloat32("output.scores"), scores, atol, rtol, $"{fixture} {path} scores");
        AssertClose(file.ReadFloat32("output.attn_weights"), weights, atol, rtol, $"{fixture} {path} weights");
        AssertClose(file.ReadFloat32("output.y"), y, atol, rtol, $"{fixture} {path} y");
    }

    private static string LayerFor(string fixture) => fixture switch
    {
        "attn_additive_small" => nameof(AdditiveSmall),
        "attn_additive_medium" => nameof(AdditiveMedium),
        "attn_general_small" => nameof(GeneralSmall),
        "attn_general_medium" => nameof(GeneralMedium),
        "attn_dot_small" => nameof(DotSmall),
        "attn_dot_medium" => nameof(DotMedium),
        "attn_cosine_small" => nameof(CosineSmall),
        _ => nameof(CosineMedium),
    };
}
