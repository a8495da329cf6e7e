using System.Linq;
using Attend.Generators.Model;
using Attend.Generators.Planning;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>Spec → plan for the channel-attention layers (matrix–vector products, ECA's conv1d): pure records, checked without Roslyn.</summary>
public sealed class ChannelLayerPlannerTests
{
    private static readonly LayerIdentity s_identity = new("Demo", EquatableArray<TypeDeclarationInfo>.Empty, new TypeDeclarationInfo("class", "Layer", "public"), "Demo.Layer.g.cs");

    private static string Describe(EquatableArray<RowSegment> segments) => string.Join(" ", segments.Select(s => $"{s.Width}@{s.Offset}"));

    [Fact]
    public void A_path_whose_register_is_wider_than_the_row_runs_at_the_narrower_width_and_under_four_floats_scalar()
    {
        EquatableArray<PathWidth> twelve = RowLayerPlanner.Dispatch(12);
        EquatableArray<PathWidth> six = RowLayerPlanner.Dispatch(6);
        EquatableArray<PathWidth> three = RowLayerPlanner.Dispatch(3);

        Assert.Equal(new[] { ("Vector512", 16, 8), ("Vector256", 8, 8), ("Vector128", 4, 4) }, twelve.Select(p => (p.Path, p.Width, p.RunsAt)));
        Assert.Equal("8@0 4@8", Describe(twelve[0].Segments));
        Assert.Equal("4@0 4@4 4@8", Describe(twelve[2].Segments));
        Assert.All(six, p => Assert.Equal(4, p.RunsAt));
        Assert.Equal("4@0 1@4 1@5", Describe(six[0].Segments));
        Assert.All(three, p => Assert.Equal(1, p.RunsAt));
        Assert.Equal("1@0 1@1 1@2", Describe(three[1].Segments));
    }

    [Fact]
    public void A_matrix_vector_product_has_one_body_per_distinct_width_and_holds_the_input_only_in_at_most_eight_registers()
    {
        MatVecPlan wide = ChannelLayerPlanner.MatVec(rows: 4, columns: 64);
        MatVecPlan narrow = ChannelLayerPlanner.MatVec(rows: 8, columns: 12);

        Assert.Equal((4, 64), (wide.Rows, wide.Columns));
        Assert.Equal(new[] { (16, true), (8, true), (4, false) }, wide.Bodies.Select(b => (b.Width, b.HoldsInput)));
        Assert.Equal(16, wide.Bodies[2].Segments.Count());
        Assert.Equal(new[] { 8, 4 }, narrow.Bodies.Select(b => b.Width));
        Assert.Equal("8@0 4@8", Describe(narrow.Bodies[0].Segments));
        Assert.Empty(ChannelLayerPlanner.MatVec(rows: 8, columns: 3).Bodies);
    }

    [Fact]
    public void The_channel_convolution_loops_two_or_more_full_registers_and_broadcasts_taps_for_every_width_it_touches()
    {
        ChannelConvPlan conv = ChannelLayerPlanner.ChannelConv(channels: 22, kernel: 5);

        Assert.Equal((22, 5), (conv.Channels, conv.Kernel));
        Assert.Equal(
            new[] { (16, 0, "16 4 1"), (8, 2, "8 4 1"), (4, 5, "4 1") },
            conv.Bodies.Select(b => (b.Width, b.LoopedRegisters, string.Join(" ", b.TapWidths))));
        Assert.Equal("16@0 4@16 1@20 1@21", Describe(conv.Bodies[0].Segments));
        Assert.Equal(2, ChannelLayerPlanner.ChannelConv(channels: 32, kernel: 3).Bodies[0].LoopedRegisters);
    }

    [Fact]
    public void The_mlp_of_squeeze_excitation_and_cbam_squeezes_then_expands_and_a_square_one_shares_its_kernel()
    {
        SqueezeExcitationPlan squeeze = ChannelLayerPlanner.Plan(new SqueezeExcitationSpec(s_identity, Channels: 32, SqueezeChannels: 8, Pooling: 0, HardSigmoid: false));
        ConvBlockAttentionPlan square = ChannelLayerPlanner.Plan(new ConvBlockAttentionSpec(s_identity, Channels: 16, HiddenChannels: 16, SpatialKernelSize: 7));

        Assert.Equal(new[] { (8, 32), (32, 8) }, squeeze.MatVecs.Select(m => (m.Rows, m.Columns)));
        Assert.Equal(ChannelLayerPlanner.MatVec(8, 32), squeeze.MatVecs[0]);
        Assert.Equal(new[] { (16, 16) }, square.MatVecs.Select(m => (m.Rows, m.Columns)));
        Assert.Same(s_identity, square.Identity);
    }

    [Fact]
    public void Eca_plans_its_convolution_from_the_resolved_kernel_size()
    {
        EfficientChannelAttentionPlan plan = ChannelLayerPlanner.Plan(new EfficientChannelAttentionSpec(s_identity, Channels: 40, KernelSize: 3, KernelSizeIsAdaptive: true));

        Assert.Equal(ChannelLayerPlanner.ChannelConv(40, 3), plan.Conv);
        Assert.Equal(RowLayerPlanner.Dispatch(40), plan.Conv.Dispatch);
    }

    [Fact]
    public void Plans_of_equal_specs_are_equal_so_the_pipeline_stops_at_an_unchanged_plan()
    {
        var spec = new SqueezeExcitationSpec(s_identity, Channels: 24, SqueezeChannels: 6, Pooling: 2, HardSigmoid: true);

        Assert.Equal(ChannelLayerPlanner.Plan(spec), ChannelLayerPlanner.Plan(spec with { }));
        Assert.NotEqual(ChannelLayerPlanner.Plan(spec), ChannelLayerPlanner.Plan(spec with { SqueezeChannels = 12 }));
    }
}
