namespace Attend.Generators.Planning;

/// <summary>A planned <c>[SelectiveKernelAttention]</c>: the branches, and the taps per pixel of each (k², the remark's work per sample).</summary>
internal sealed record SelectiveKernelAttentionPlan(LayerIdentity Identity, SelectiveKernelAttentionSpec Spec, int Branches, EquatableArray<int> TapsPerPixel) : ILayerPlan;

/// <summary>A planned <c>[ShuffleAttention]</c>: channels per group (C / G), each split into two halves of C / 2G.</summary>
internal sealed record ShuffleAttentionPlan(LayerIdentity Identity, ShuffleAttentionSpec Spec, int GroupChannels, int HalfGroupChannels) : ILayerPlan;

/// <summary>A planned <c>[PolarizedSelfAttention]</c>: the value and query convolutions' outputs, C / 2 rounded down (the module's <c>c // 2</c>).</summary>
internal sealed record PolarizedSelfAttentionPlan(LayerIdentity Identity, PolarizedSelfAttentionSpec Spec, int HalfChannels) : ILayerPlan;

/// <summary>Spec → plan for feature-map layers whose kernels are runtime generics: the derived sizes their code and remarks state. Pure; tested without Roslyn.</summary>
internal static class FeatureMapLayerPlanner
{
    public static SelectiveKernelAttentionPlan Plan(SelectiveKernelAttentionSpec spec) =>
        new(spec.Identity, spec, spec.KernelSizes.Count, spec.KernelSizes.Select(k => k * k).ToEquatableArray());

    public static ShuffleAttentionPlan Plan(ShuffleAttentionSpec spec) =>
        new(spec.Identity, spec, spec.Channels / spec.Groups, spec.HalfGroupChannels);

    public static PolarizedSelfAttentionPlan Plan(PolarizedSelfAttentionSpec spec) =>
        new(spec.Identity, spec, spec.Channels / 2);
}
