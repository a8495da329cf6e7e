namespace Attend.Generators.Planning;

/// <summary>What every planned layer gives the pipeline: where its file goes.</summary>
internal interface ILayerPlan
{
    LayerIdentity Identity { get; }
}

/// <summary>How one vector path covers a row: the <c>KernelPath</c> member name, floats per register, the segments.</summary>
internal sealed record PathRow(string Path, int Width, EquatableArray<RowSegment> Segments);

/// <summary>A row of constant <paramref name="Length"/> as each vector path (widest first) covers it.</summary>
internal sealed record RowLayout(int Length, EquatableArray<PathRow> Paths)
{
    /// <summary>The segments on <paramref name="path"/> (a <c>KernelPath</c> member name).</summary>
    public EquatableArray<RowSegment> On(string path) => Paths.First(p => p.Path == path).Segments;
}

/// <summary>A planned <c>[AttentionPooling]</c>: the scored row (hidden layer, or the features for a learned query) and the pooled row.</summary>
internal sealed record AttentionPoolingPlan(LayerIdentity Identity, AttentionPoolingSpec Spec, RowLayout Scored, RowLayout Pooled) : ILayerPlan;

/// <summary>A planned <c>[GraphAttention]</c>: the row of one head's output features (F′) its node-term, pair-score and aggregate kernels run over.</summary>
internal sealed record GraphAttentionPlan(LayerIdentity Identity, GraphAttentionSpec Spec, RowLayout Features) : ILayerPlan;

/// <summary>A planned <c>[MemoryHeads]</c>: the row of one memory location (MemoryWidth) its similarity, read and write kernels run over.</summary>
internal sealed record MemoryHeadsPlan(LayerIdentity Identity, MemoryHeadsSpec Spec, RowLayout Location) : ILayerPlan;

/// <summary>A planned <c>[NadarayaWatson]</c>: the key row (Dim) its score kernel runs over and the value row (ValueDim) it sums.</summary>
internal sealed record NadarayaWatsonPlan(LayerIdentity Identity, NadarayaWatsonSpec Spec, RowLayout Keys, RowLayout Values) : ILayerPlan;

/// <summary>Spec → plan for the layers whose kernels are row loops of constant width. Pure; tested without Roslyn.</summary>
internal static class RowLayerPlanner
{
    public static RowLayout Layout(int length) =>
        new(length, HeadKernelPlanner.VectorPaths.Select(p => new PathRow(p.Path, p.Width, HeadKernelPlanner.Segments(length, p.Width))).ToEquatableArray());

    /// <summary>Per vector path (widest first) the width it runs a row of <paramref name="length"/> at, and the segments there.</summary>
    public static EquatableArray<PathWidth> Dispatch(int length) =>
        HeadKernelPlanner.VectorPaths.Select(p =>
        {
            int runsAt = HeadKernelPlanner.EffectiveWidth(length, p.Width);
            return new PathWidth(p.Path, p.Width, runsAt, HeadKernelPlanner.Segments(length, runsAt));
        }).ToEquatableArray();

    /// <summary>Additive scores dot the hidden layer with v; a learned query dots the features themselves.</summary>
    public static AttentionPoolingPlan Plan(AttentionPoolingSpec spec) =>
        new(spec.Identity, spec, Layout(spec.LearnedQuery ? spec.Features : spec.HiddenDim), Layout(spec.Features));

    public static GraphAttentionPlan Plan(GraphAttentionSpec spec) => new(spec.Identity, spec, Layout(spec.OutFeatures));

    public static MemoryHeadsPlan Plan(MemoryHeadsSpec spec) => new(spec.Identity, spec, Layout(spec.MemoryWidth));

    public static NadarayaWatsonPlan Plan(NadarayaWatsonSpec spec) => new(spec.Identity, spec, Layout(spec.Dim), Layout(spec.ValueDim));
}
