using Attend.Generators.Model;
using Attend.Generators.Planning;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>Spec → plan for the DANet channel and quadratic-position layers: the sizes their code and remarks state, checked without Roslyn.</summary>
public sealed class DualAttentionPlannerTests
{
    private static readonly LayerIdentity s_identity = new("Demo", EquatableArray<TypeDeclarationInfo>.Empty, new TypeDeclarationInfo("class", "Layer", "public"), "Demo.Layer.g.cs");

    [Fact]
    public void The_collection_head_is_built_for_height_times_width_pixels_and_the_official_cam_for_any_size()
    {
        DanetChannelAttentionPlan collection = DualAttentionPlanner.Plan(new DanetChannelAttentionSpec(s_identity, Channels: 16, Official: false, KernelSize: 3, Height: 7, Width: 5));
        DanetChannelAttentionPlan official = DualAttentionPlanner.Plan(new DanetChannelAttentionSpec(s_identity, Channels: 16, Official: true, KernelSize: 0, Height: 0, Width: 0));

        Assert.Equal(35, collection.Plane);
        Assert.Equal(0, official.Plane);
        Assert.Same(s_identity, official.Identity);
    }

    [Fact]
    public void Quadratic_position_attention_has_k_squared_heads_pads_the_keys_by_half_k_and_folds_one_column_per_head_channel_plus_bias()
    {
        ConvolutionalSelfAttentionPlan three = DualAttentionPlanner.Plan(new ConvolutionalSelfAttentionSpec(s_identity, InChannels: 4, OutChannels: 6, KernelSize: 3, HeadDim: 4));
        ConvolutionalSelfAttentionPlan four = DualAttentionPlanner.Plan(new ConvolutionalSelfAttentionSpec(s_identity, InChannels: 2, OutChannels: 6, KernelSize: 4, HeadDim: 2));

        Assert.Equal((9, 1, 37), (three.Heads, three.KeyPadding, three.FoldedColumns));
        Assert.Equal((16, 2, 33), (four.Heads, four.KeyPadding, four.FoldedColumns));
    }

    [Fact]
    public void Plans_of_equal_specs_are_equal_so_the_pipeline_stops_at_an_unchanged_plan()
    {
        var spec = new ConvolutionalSelfAttentionSpec(s_identity, InChannels: 4, OutChannels: 6, KernelSize: 3, HeadDim: 4);

        Assert.Equal(DualAttentionPlanner.Plan(spec), DualAttentionPlanner.Plan(spec with { }));
        Assert.NotEqual(DualAttentionPlanner.Plan(spec), DualAttentionPlanner.Plan(spec with { KernelSize = 5 }));
    }
}
