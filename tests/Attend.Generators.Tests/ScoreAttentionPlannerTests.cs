using System.Linq;
using Attend.Generators.Model;
using Attend.Generators.Planning;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>Spec → plan for <c>[Attention]</c>: which row each score kernel unrolls, which it holds, how the weighted sum blocks; no Roslyn.</summary>
public sealed class ScoreAttentionPlannerTests
{
    private static readonly LayerIdentity s_identity = new("Demo", EquatableArray<TypeDeclarationInfo>.Empty, new TypeDeclarationInfo("class", "Layer", "public"), "Demo.Layer.g.cs");

    private static ScoreAttentionSpec Spec(AttentionScore score, int querySize = 32, int valueSize = 32, int hidden = 0) =>
        new(s_identity, score, querySize, querySize, valueSize, hidden, Selection: 0, TopK: 0, Local: 0, Window: 0, PositionHidden: 0);

    [Fact]
    public void Dot_scores_run_over_the_query_and_additive_scores_over_the_hidden_layer()
    {
        ScoreAttentionPlan dot = ScoreAttentionPlanner.Plan(Spec(AttentionScore.ScaledDot, querySize: 24));
        ScoreAttentionPlan additive = ScoreAttentionPlanner.Plan(Spec(AttentionScore.Additive, querySize: 24, hidden: 40));

        Assert.False(dot.Additive);
        Assert.Equal(24, dot.PreparedWidth);
        Assert.True(additive.Additive);
        Assert.Equal(40, additive.PreparedWidth);
        Assert.All(additive.Scores, k => Assert.Equal(40, k.Segments.Sum(s => s.Width)));
    }

    [Fact]
    public void Paths_on_which_a_short_row_looks_the_same_share_one_kernel()
    {
        // 8 floats: Vector512 runs them as one Vector256, so only widths 8 and 4 get kernels; 3 floats get none.
        Assert.Equal(new[] { 8, 4 }, ScoreAttentionPlanner.Plan(Spec(AttentionScore.Dot, querySize: 8)).Scores.Select(k => k.Width));
        Assert.Empty(ScoreAttentionPlanner.Plan(Spec(AttentionScore.Dot, querySize: 3)).Scores);
    }

    [Fact]
    public void The_query_row_is_held_across_keys_only_while_it_fits_the_register_budget()
    {
        // 64 floats: 4 registers at width 16, 8 at width 8 (held, limit 8), 16 at width 4 (reloaded).
        ScoreAttentionPlan dot = ScoreAttentionPlanner.Plan(Spec(AttentionScore.Dot, querySize: 64));
        Assert.Equal(new[] { (16, true), (8, true), (4, false) }, dot.Scores.Select(k => (k.Width, k.Held)));

        // Additive scores hold the query row and v: the limit is 4 registers each.
        ScoreAttentionPlan additive = ScoreAttentionPlanner.Plan(Spec(AttentionScore.Additive, hidden: 64));
        Assert.Equal(new[] { (16, true), (8, false), (4, false) }, additive.Scores.Select(k => (k.Width, k.Held)));
    }

    [Fact]
    public void A_wide_value_row_is_summed_in_looped_blocks_of_eight_registers()
    {
        // Dv = 100 at width 4: 25 registers → 24 in three looped blocks of 8, the last register in the tail block.
        ScoreAttentionPlan plan = ScoreAttentionPlanner.Plan(Spec(AttentionScore.Dot, valueSize: 100));

        Assert.Equal(new[] { (16, 0), (8, 8), (4, 24) }, plan.Sums.Select(k => (k.Width, k.LoopedRegisters)));
        Assert.Equal(plan, ScoreAttentionPlanner.Plan(Spec(AttentionScore.Dot, valueSize: 100)));
    }

    [Fact]
    public void Each_path_dispatches_to_the_kernel_of_the_width_it_runs_the_row_at()
    {
        ScoreAttentionPlan plan = ScoreAttentionPlanner.Plan(Spec(AttentionScore.Dot, querySize: 12, valueSize: 3));

        Assert.Equal(new[] { 8, 8, 4 }, plan.ScoreDispatch.Select(p => p.RunsAt));
        Assert.All(plan.SumDispatch, p => Assert.Equal(1, p.RunsAt));
    }
}
