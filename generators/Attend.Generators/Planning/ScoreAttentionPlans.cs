namespace Attend.Generators.Planning;

/// <summary>One vector score kernel: the register width it runs at, the prepared row's segments, and whether the row is held in registers across keys.</summary>
/// <param name="Width">Floats per register; paths on which the row looks the same (<see cref="ScoreAttentionPlanner.VectorWidths"/>) share one kernel.</param>
internal sealed record ScoreRowPlan(int Width, EquatableArray<RowSegment> Segments, bool Held);

/// <summary>One vector weighted-sum kernel: its width, the value row's segments, and how many full registers run as looped column blocks (0: one block).</summary>
internal sealed record WeightedSumPlan(int Width, EquatableArray<RowSegment> Segments, int LoopedRegisters);

/// <summary>
/// A planned <c>[Attention]</c> layer: the width of the prepared query/key rows (the hidden layer for additive and MLP
/// scores, else the query size), per path the width its score and weighted-sum kernels run at, and per distinct register
/// width those kernels' layouts.
/// </summary>
internal sealed record ScoreAttentionPlan(
    LayerIdentity Identity,
    ScoreAttentionSpec Spec,
    int PreparedWidth,
    bool Additive,
    EquatableArray<ScoreRowPlan> Scores,
    EquatableArray<WeightedSumPlan> Sums,
    EquatableArray<PathWidth> ScoreDispatch,
    EquatableArray<PathWidth> SumDispatch) : ILayerPlan;

/// <summary>Spec → plan for <c>[Attention]</c>. Pure; tested without Roslyn.</summary>
internal static class ScoreAttentionPlanner
{
    /// <summary>Registers of the query row kept live across keys by a dot score.</summary>
    public const int MaxHeldQueryRegisters = 8;

    /// <summary>Registers each of the query row and <c>v</c> kept live across keys by an additive score.</summary>
    public const int MaxHeldAdditiveRegisters = 4;

    /// <summary>Output registers one pass of the weighted sum accumulates, leaving room for the loaded value rows.</summary>
    public const int MaxAccumulators = 8;

    public static ScoreAttentionPlan Plan(ScoreAttentionSpec spec)
    {
        bool additive = spec.IsAdditive;
        int prepared = additive ? spec.Hidden : spec.QuerySize;
        int heldLimit = additive ? MaxHeldAdditiveRegisters : MaxHeldQueryRegisters;
        var scores = VectorWidths(prepared).Select(width =>
        {
            EquatableArray<RowSegment> segments = HeadKernelPlanner.Segments(prepared, width);
            return new ScoreRowPlan(width, segments, Registers(segments) <= heldLimit);
        });
        var sums = VectorWidths(spec.ValueSize).Select(width =>
        {
            EquatableArray<RowSegment> segments = HeadKernelPlanner.Segments(spec.ValueSize, width);
            int full = segments.Count(s => s.Width == width);
            return new WeightedSumPlan(width, segments, full > MaxAccumulators ? full / MaxAccumulators * MaxAccumulators : 0);
        });
        return new ScoreAttentionPlan(spec.Identity, spec, prepared, additive, scores.ToEquatableArray(), sums.ToEquatableArray(),
            RowLayerPlanner.Dispatch(prepared), RowLayerPlanner.Dispatch(spec.ValueSize));
    }

    /// <summary>
    /// The distinct register widths the vector paths run a row of <paramref name="length"/> at, widest first: a path whose
    /// registers are wider than the row runs at the narrower width that covers it the same way; none below 4 floats.
    /// </summary>
    public static IEnumerable<int> VectorWidths(int length) =>
        HeadKernelPlanner.VectorPaths.Select(p => HeadKernelPlanner.EffectiveWidth(length, p.Width)).Where(x => x > 1).Distinct();

    private static int Registers(EquatableArray<RowSegment> segments) => segments.Count(s => s.Width > 1);
}
