using System.Linq;
using Attend.Generators.Model;
using Attend.Generators.Planning;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>Spec → plan for the layers whose kernels are row loops of constant width: pure records, checked without Roslyn.</summary>
public sealed class RowLayerPlannerTests
{
    private static readonly LayerIdentity s_identity = new("Demo", EquatableArray<TypeDeclarationInfo>.Empty, new TypeDeclarationInfo("class", "Layer", "public"), "Demo.Layer.g.cs");

    private static string Describe(EquatableArray<RowSegment> segments) => string.Join(" ", segments.Select(s => $"{s.Width}@{s.Offset}"));

    [Fact]
    public void A_row_is_covered_widest_register_first_on_every_path_then_narrower_then_scalars()
    {
        RowLayout row = RowLayerPlanner.Layout(22);

        Assert.Equal(22, row.Length);
        Assert.Equal(new[] { "Vector512", "Vector256", "Vector128" }, row.Paths.Select(p => p.Path));
        Assert.Equal("16@0 4@16 1@20 1@21", Describe(row.On("Vector512")));
        Assert.Equal("8@0 8@8 4@16 1@20 1@21", Describe(row.On("Vector256")));
        Assert.Equal("4@0 4@4 4@8 4@12 4@16 1@20 1@21", Describe(row.On("Vector128")));
    }

    [Fact]
    public void Pooling_scores_the_hidden_layer_for_additive_scores_and_the_features_for_a_learned_query()
    {
        AttentionPoolingPlan additive = RowLayerPlanner.Plan(new AttentionPoolingSpec(s_identity, Features: 48, HiddenDim: 20, LearnedQuery: false, Bias: true));
        AttentionPoolingPlan learned = RowLayerPlanner.Plan(new AttentionPoolingSpec(s_identity, Features: 48, HiddenDim: 0, LearnedQuery: true, Bias: false));

        Assert.Equal(20, additive.Scored.Length);
        Assert.Equal(48, additive.Pooled.Length);
        Assert.Equal(48, learned.Scored.Length);
        Assert.Same(s_identity, learned.Identity);
    }

    [Fact]
    public void Graph_memory_and_kernel_regression_plan_the_rows_their_kernels_loop_over()
    {
        GraphAttentionPlan graph = RowLayerPlanner.Plan(new GraphAttentionSpec(s_identity, InFeatures: 100, OutFeatures: 12, Heads: 4, MeanOverHeads: false, NegativeSlope: 0.2f, AddSelfLoops: true, ScoresPairs: false, Bias: true));
        MemoryHeadsPlan memory = RowLayerPlanner.Plan(new MemoryHeadsSpec(s_identity, MemoryRows: 128, MemoryWidth: 20, ShiftRadius: 1, Epsilon: 1e-8f));
        NadarayaWatsonPlan regression = RowLayerPlanner.Plan(new NadarayaWatsonSpec(s_identity, Dim: 3, ValueDim: 40, LearnableWidth: true, Bandwidth: 1f));

        Assert.Equal(RowLayerPlanner.Layout(12), graph.Features);
        Assert.Equal(RowLayerPlanner.Layout(20), memory.Location);
        Assert.Equal(RowLayerPlanner.Layout(3), regression.Keys);
        Assert.Equal(RowLayerPlanner.Layout(40), regression.Values);
        Assert.Equal("1@0 1@1 1@2", Describe(regression.Keys.On("Vector128")));
    }

    [Fact]
    public void Plans_of_equal_specs_are_equal_so_the_pipeline_stops_at_an_unchanged_plan()
    {
        var spec = new MemoryHeadsSpec(s_identity, MemoryRows: 64, MemoryWidth: 36, ShiftRadius: 2, Epsilon: 1e-6f);

        Assert.Equal(RowLayerPlanner.Plan(spec), RowLayerPlanner.Plan(spec with { }));
        Assert.NotEqual(RowLayerPlanner.Plan(spec), RowLayerPlanner.Plan(spec with { MemoryWidth = 40 }));
    }
}
