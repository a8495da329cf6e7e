namespace Attend.Generators.Planning;

/// <summary>
/// How one vector path (<c>KernelPath</c> member name, floats per register) runs a constant row: at <paramref name="RunsAt"/>
/// floats per register (narrower when the row is shorter than the path's register, 1 under 4 floats) with these segments.
/// </summary>
internal sealed record PathWidth(string Path, int Width, int RunsAt, EquatableArray<RowSegment> Segments);

/// <summary>One vector body of a matrix–vector product: its width, the input row's segments, and whether that row stays in registers across the rows.</summary>
internal sealed record MatVecBody(int Width, EquatableArray<RowSegment> Segments, bool HoldsInput);

/// <summary>
/// <c>y[r] = Σ_c W[r, c] · x[c]</c> for a constant <c>[Rows, Columns]</c> weight: per path the width it runs at
/// (<paramref name="Dispatch"/>), and one body per distinct vector width (paths that run alike share it).
/// </summary>
internal sealed record MatVecPlan(int Rows, int Columns, EquatableArray<PathWidth> Dispatch, EquatableArray<MatVecBody> Bodies);

/// <summary>
/// One vector body of ECA's conv1d along the channels: its width, the channel row's segments, how many leading full
/// registers run as a loop (0: every segment unrolled), and the register widths whose broadcast taps it needs.
/// </summary>
internal sealed record ChannelConvBody(int Width, EquatableArray<RowSegment> Segments, int LoopedRegisters, EquatableArray<int> TapWidths);

/// <summary>ECA's conv1d along <paramref name="Channels"/> with <paramref name="Kernel"/> taps: dispatch and one body per distinct vector width.</summary>
internal sealed record ChannelConvPlan(int Channels, int Kernel, EquatableArray<PathWidth> Dispatch, EquatableArray<ChannelConvBody> Bodies);

/// <summary>A planned <c>[SqueezeExcitation]</c>: fc1's product (its per-path layout is the remark's), then fc2's; one kernel when they have the same shape.</summary>
internal sealed record SqueezeExcitationPlan(LayerIdentity Identity, SqueezeExcitationSpec Spec, EquatableArray<MatVecPlan> MatVecs) : ILayerPlan;

/// <summary>A planned <c>[EfficientChannelAttention]</c>: its conv1d along the channels.</summary>
internal sealed record EfficientChannelAttentionPlan(LayerIdentity Identity, EfficientChannelAttentionSpec Spec, ChannelConvPlan Conv) : ILayerPlan;

/// <summary>A planned <c>[ConvBlockAttention]</c>: the channel MLP's products (one kernel when they have the same shape); the spatial convolution takes only the kernel size.</summary>
internal sealed record ConvBlockAttentionPlan(LayerIdentity Identity, ConvBlockAttentionSpec Spec, EquatableArray<MatVecPlan> MatVecs) : ILayerPlan;

/// <summary>Spec → plan for the channel-attention layers whose MLP and convolution kernels are emitted per shape. Pure; tested without Roslyn.</summary>
internal static class ChannelLayerPlanner
{
    /// <summary>Registers of the input vector a matrix–vector product keeps live across the rows.</summary>
    public const int MaxHeldRegisters = 8;

    public static SqueezeExcitationPlan Plan(SqueezeExcitationSpec spec) =>
        new(spec.Identity, spec, Mlp(spec.Channels, spec.SqueezeChannels));

    public static EfficientChannelAttentionPlan Plan(EfficientChannelAttentionSpec spec) =>
        new(spec.Identity, spec, ChannelConv(spec.Channels, spec.KernelSize));

    public static ConvBlockAttentionPlan Plan(ConvBlockAttentionSpec spec) =>
        new(spec.Identity, spec, Mlp(spec.Channels, spec.HiddenChannels));

    /// <summary>Squeeze <c>[hidden, channels]</c> then expand <c>[channels, hidden]</c>; a square MLP needs one kernel.</summary>
    public static EquatableArray<MatVecPlan> Mlp(int channels, int hidden) =>
        (hidden == channels ? new[] { MatVec(hidden, channels) } : new[] { MatVec(hidden, channels), MatVec(channels, hidden) }).ToEquatableArray();

    public static MatVecPlan MatVec(int rows, int columns)
    {
        EquatableArray<PathWidth> dispatch = RowLayerPlanner.Dispatch(columns);
        var bodies = VectorBodies(dispatch).Select(p => new MatVecBody(p.RunsAt, p.Segments, p.Segments.Count(s => s.Width > 1) <= MaxHeldRegisters));
        return new MatVecPlan(rows, columns, dispatch, bodies.ToEquatableArray());
    }

    /// <summary>Full registers run as a loop when there are two or more; the narrower remainder is unrolled.</summary>
    public static ChannelConvPlan ChannelConv(int channels, int kernel)
    {
        EquatableArray<PathWidth> dispatch = RowLayerPlanner.Dispatch(channels);
        var bodies = VectorBodies(dispatch).Select(p =>
        {
            int full = p.Segments.Count(s => s.Width == p.RunsAt);
            return new ChannelConvBody(p.RunsAt, p.Segments, full > 1 ? full : 0, p.Segments.Select(s => s.Width).Distinct().ToEquatableArray());
        });
        return new ChannelConvPlan(channels, kernel, dispatch, bodies.ToEquatableArray());
    }

    /// <summary>One path per distinct vector width, in path order (the scalar method is written apart).</summary>
    private static IEnumerable<PathWidth> VectorBodies(EquatableArray<PathWidth> dispatch) =>
        dispatch.Where(p => p.RunsAt > 1).GroupBy(p => p.RunsAt).Select(g => g.First());
}
