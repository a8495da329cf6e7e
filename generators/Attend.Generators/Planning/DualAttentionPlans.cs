namespace Attend.Generators.Planning;

/// <summary>A planned <c>[DanetChannelAttention]</c>: the pixels per map fc_o is built for (Height · Width; 0 for the authors' CAM, which takes any size).</summary>
internal sealed record DanetChannelAttentionPlan(LayerIdentity Identity, DanetChannelAttentionSpec Spec, int Plane) : ILayerPlan;

/// <summary>
/// A planned <c>[ConvolutionalSelfAttention]</c>: K² heads, the keys padded by K / 2 on each side, and the columns of the
/// folded value-and-output projection (Heads · InChannels, then the bias).
/// </summary>
internal sealed record ConvolutionalSelfAttentionPlan(LayerIdentity Identity, ConvolutionalSelfAttentionSpec Spec, int Heads, int KeyPadding, int FoldedColumns) : ILayerPlan;

/// <summary>Spec → plan for the DANet channel and quadratic-position layers, whose kernels are runtime generics: the sizes their code and remarks state. Pure; tested without Roslyn.</summary>
internal static class DualAttentionPlanner
{
    public static DanetChannelAttentionPlan Plan(DanetChannelAttentionSpec spec) =>
        new(spec.Identity, spec, spec.Official ? 0 : spec.Height * spec.Width);

    public static ConvolutionalSelfAttentionPlan Plan(ConvolutionalSelfAttentionSpec spec)
    {
        int heads = spec.KernelSize * spec.KernelSize;
        return new(spec.Identity, spec, heads, spec.KernelSize / 2, heads * spec.InChannels + 1);
    }
}
