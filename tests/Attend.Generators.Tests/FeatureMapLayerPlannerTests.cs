using System.Linq;
using Attend.Generators.Model;
using Attend.Generators.Planning;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>Spec → plan for feature-map layers on runtime generics: the derived sizes their code and remarks state, checked without Roslyn.</summary>
public sealed class FeatureMapLayerPlannerTests
{
    private static readonly LayerIdentity s_identity = new("Demo", EquatableArray<TypeDeclarationInfo>.Empty, new TypeDeclarationInfo("class", "Layer", "public"), "Demo.Layer.g.cs");

    [Fact]
    public void Selective_kernel_counts_its_branches_and_each_branch_k_squared_taps_per_pixel()
    {
        SelectiveKernelAttentionPlan plan = FeatureMapLayerPlanner.Plan(new SelectiveKernelAttentionSpec(s_identity, Channels: 16, KernelSizes: new[] { 1, 3, 5 }.ToEquatableArray(), Groups: 2, HiddenChannels: 32));

        Assert.Equal(3, plan.Branches);
        Assert.Equal(new[] { 1, 9, 25 }, plan.TapsPerPixel);
    }

    [Fact]
    public void Shuffle_splits_each_group_of_c_over_g_channels_into_two_halves_and_polarized_halves_rounding_down()
    {
        ShuffleAttentionPlan shuffle = FeatureMapLayerPlanner.Plan(new ShuffleAttentionSpec(s_identity, Channels: 48, Groups: 4));
        PolarizedSelfAttentionPlan polarized = FeatureMapLayerPlanner.Plan(new PolarizedSelfAttentionSpec(s_identity, Channels: 15, Sequential: true));

        Assert.Equal((12, 6), (shuffle.GroupChannels, shuffle.HalfGroupChannels));
        Assert.Equal(7, polarized.HalfChannels);
        Assert.Same(s_identity, polarized.Identity);
    }

    [Fact]
    public void Plans_of_equal_specs_are_equal_so_the_pipeline_stops_at_an_unchanged_plan()
    {
        var spec = new SelectiveKernelAttentionSpec(s_identity, Channels: 16, KernelSizes: new[] { 3, 5 }.ToEquatableArray(), Groups: 1, HiddenChannels: 32);

        Assert.Equal(FeatureMapLayerPlanner.Plan(spec), FeatureMapLayerPlanner.Plan(spec with { KernelSizes = new[] { 3, 5 }.ToEquatableArray() }));
        Assert.NotEqual(FeatureMapLayerPlanner.Plan(spec), FeatureMapLayerPlanner.Plan(spec with { KernelSizes = new[] { 3, 7 }.ToEquatableArray() }));
    }
}
