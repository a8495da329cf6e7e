using static Attend.Generators.Emit.PointwiseLayerEmitter;

namespace Attend.Generators.Emit;

/// <summary>Writes a <c>[SimAm]</c> class: constants, <c>Forward</c>, and the one-sample block over the runtime SimAM kernel.</summary>
internal static class SimAmEmitter
{
    public static string Emit(SimAmSpec spec)
    {
        string lambda = Literals.Float(spec.Lambda);
        string[] remarks =
        {
            $"Specialized at compile time: Channels = {spec.Channels}, λ = {lambda}; height and width are run-time arguments. The module has no weights, so there is no LoadWeights.",
            "Per channel plane, three vectorized passes (PointwiseAttentionKernels.SimAm, one body per instruction set): the sum for the mean μ, the sum of squared deviations Σd, " +
                "then y = x · σ((x − μ)² / (4 (Σd / (H·W − 1) + λ)) + ½) — O(C·H·W) per sample, no scratch.",
            "A 1×1 map divides by H·W − 1 = 0, as the PyTorch module does (NaN). Output may be the input's own memory: each plane is read before it is written.",
        };
        return TypeShellEmitter.Emit(
            spec.Identity,
            $"SimAM, parameter-free attention over {spec.Channels} channels with λ = {lambda}, as <c>SimAM(e_lambda)</c> of External-Attention-pytorch on NCHW maps.",
            remarks,
            w =>
            {
                EmitConstant(w, "Channels", spec.Channels, "Channels C of the feature map.");
                w.Line("/// <summary>λ (<c>e_lambda</c>), added to each channel's variance.</summary>");
                w.Line(GeneratedCode.Attribute);
                w.Line($"public const float Lambda = {lambda};");
                w.Line();
                FeatureMapLayerEmitter.EmitPathProperties(w);
                w.Lines("""
                    /// <summary>
                    /// Applies SimAM to each sample: <c>y = x · σ((x − μ)² / (4 (Σ(x − μ)² / (H·W − 1) + λ)) + ½)</c> per channel plane.
                    /// Allocates nothing once warm and may be called from many threads at once.
                    /// </summary>
                    """);
                LayerMembers.Params(w, ("input", "Feature maps <c>[batch, Channels, height, width]</c> (NCHW), row-major."), ("output", "Receives <c>[batch, Channels, height, width]</c>; may be <paramref name=\"input\"/>'s memory itself (in place), but must not partly overlap it."), ("batch", "Number of samples."), ("height", "Rows of each map."), ("width", "Columns of each map."));
                using (LayerMembers.OpenChecked(w, "public void Forward(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int batch, int height, int width)", "A length or size does not match; the message names the argument and the size expected."))
                {
                    w.Line("// Every argument is checked by the runner before any sample is computed.");
                    w.Line("global::Attend.Kernels.FeatureMapAttention.Run(new Block(), Path, input, output, batch, Channels, height, width, default, default, MaxDegreeOfParallelism);");
                }

                w.Line();
                w.Line("/// <summary>One sample: the SimAM energy gate of every channel plane.</summary>");
                w.Line(GeneratedCode.Attribute);
                using (w.Block("private readonly struct Block : global::Attend.Kernels.IFeatureMapAttention"))
                {
                    w.Line("public int ScratchLength(int height, int width) => 0;");
                    w.Line();
                    using (w.Block("public void Apply(global::Attend.KernelPath path, global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int height, int width, global::System.Span<float> channelScale, global::System.Span<float> spatialScale, global::System.Span<float> scratch)"))
                    {
                        w.Line($"{Kernels}.SimAm(path, input, Channels, height * width, Lambda, output);");
                    }
                }
            });
    }
}
