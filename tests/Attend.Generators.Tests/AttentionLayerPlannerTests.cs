using System.Linq;
using Attend.Generators.Model;
using Attend.Generators.Planning;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>Spec → plan for the layers on the head kernels: pure records, checked without Roslyn.</summary>
public sealed class AttentionLayerPlannerTests
{
    private static readonly LayerIdentity s_identity = new("Demo", EquatableArray<TypeDeclarationInfo>.Empty, new TypeDeclarationInfo("class", "Layer", "public"), "Demo.Layer.g.cs");

    private static MultiHeadAttentionSpec Mha(int modelDim = 512, int heads = 8, int keyDim = 512, int valueDim = 512, bool causal = true, bool keyPadding = false) =>
        new(s_identity, modelDim, heads, modelDim / heads, keyDim, valueDim, Bias: true, causal, keyPadding, Scale: 0.125f, ScaleIsDefault: true, KvHeads: heads, Window: 0);

    [Fact]
    public void Causal_self_attention_with_packed_projections_gets_a_kv_cache()
    {
        MultiHeadAttentionPlan plan = AttentionLayerPlanner.Plan(Mha());

        Assert.True(plan.PackedProjections);
        Assert.True(plan.KvCache);
        Assert.Equal(new HeadShape(64, 64), plan.Shape);
        Assert.Equal(HeadKernelPlanner.Plan(64, 64), plan.Kernels);
        Assert.Same(s_identity, plan.Identity);
    }

    [Theory]
    [InlineData(false, false, 512, true)] // not causal
    [InlineData(true, true, 512, true)] // key padding would have to stay masked in every later step
    [InlineData(true, false, 256, false)] // separate projections: query, key and value differ
    public void No_kv_cache_without_causal_packed_unpadded_attention(bool causal, bool keyPadding, int keyDim, bool packed)
    {
        MultiHeadAttentionPlan plan = AttentionLayerPlanner.Plan(Mha(keyDim: keyDim, causal: causal, keyPadding: keyPadding));

        Assert.Equal(packed, plan.PackedProjections);
        Assert.False(plan.KvCache);
    }

    [Fact]
    public void Plans_are_value_equal_so_the_pipeline_caches_them()
    {
        Assert.Equal(AttentionLayerPlanner.Plan(Mha()), AttentionLayerPlanner.Plan(Mha()));
        Assert.NotEqual(AttentionLayerPlanner.Plan(Mha()), AttentionLayerPlanner.Plan(Mha(heads: 4)));
    }

    [Fact]
    public void Danet_position_attention_has_narrow_queries_and_wide_values()
    {
        var spec = new DanetPositionAttentionSpec(s_identity, Channels: 64, Official: true, KernelSize: 0, QueryKeyChannels: 8);

        HeadLayerPlan<DanetPositionAttentionSpec> plan = AttentionLayerPlanner.Plan(spec);

        Assert.Equal(new HeadShape(8, 64), plan.Shape);
        Assert.Equal(8, plan.Kernels.DimHead);
        Assert.Equal(64, plan.Kernels.ValueDimHead);
    }

    [Theory]
    [InlineData(64, 8, "Vector512:4|Vector256:2|Vector128:2")]
    [InlineData(10, 8, "Vector512:4|Vector256:2|Vector128:2")]
    public void Value_tile_runs_send_whole_register_blocks_to_the_shared_kernel(int valueDimHead, int dimHead, string expectedSegmentsPerBlock)
    {
        TileKernelPlan plan = TileKernelPlanner.Plan(dimHead, valueDimHead);

        Assert.Equal(expectedSegmentsPerBlock, string.Join("|", plan.Paths.Where(p => p.Width > 1).Select(p => $"{p.Path}:{p.SegmentsPerBlock}")));
        foreach (TilePathPlan path in plan.Paths.Where(p => p.Width > 1))
        {
            var runs = TileKernelPlanner.Runs(path);
            Assert.Equal(0, runs[0].FirstColumn);
            Assert.Equal(valueDimHead, runs[runs.Count - 1].EndColumn);
            for (int i = 1; i < runs.Count; i++) Assert.Equal(runs[i - 1].EndColumn, runs[i].FirstColumn);
            foreach (ValueRun run in runs.Where(r => r.Shared))
            {
                Assert.All(run.Blocks, b => Assert.True(b.Segments.Count == path.SegmentsPerBlock && b.Segments.All(s => s.Width == path.Width)));
            }
        }
    }

    [Fact]
    public void Dv64_runs_every_vector_value_block_in_the_shared_kernel_and_Dv10_only_its_whole_register_block()
    {
        Assert.All(TileKernelPlanner.Plan(64, 64).Paths.Where(p => p.Width > 1), p => Assert.All(TileKernelPlanner.Runs(p), r => Assert.True(r.Shared)));

        // Dv = 10: one block 8 + 1 + 1 on Vector512, blocks 8 + 1 | 1 on Vector256 (none of whole registers), 4 + 4 | 1 + 1 on Vector128.
        var runs = TileKernelPlanner.Plan(8, 10).Paths.ToDictionary(p => p.Path, p => TileKernelPlanner.Runs(p).Select(r => (r.Shared, r.FirstColumn, r.EndColumn)).ToArray());
        Assert.Equal(new[] { (false, 0, 10) }, runs["Vector512"]);
        Assert.Equal(new[] { (false, 0, 9), (false, 9, 10) }, runs["Vector256"]);
        Assert.Equal(new[] { (true, 0, 8), (false, 8, 10) }, runs["Vector128"]);
    }
}
