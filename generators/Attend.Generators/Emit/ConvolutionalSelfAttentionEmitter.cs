using static Attend.Generators.Emit.ImageLayerEmitter;

namespace Attend.Generators.Emit;

/// <summary>Writes a <c>[ConvolutionalSelfAttention]</c> class: constants, folded weights, <c>LoadWeights</c>, <c>Forward</c> and <c>AttentionMaps</c>.</summary>
internal static class ConvolutionalSelfAttentionEmitter
{
    private const string Runtime = "global::Attend.Kernels.QuadraticPositionAttention";

    public static string Emit(ConvolutionalSelfAttentionPlan plan)
    {
        ConvolutionalSelfAttentionSpec spec = plan.Spec;
        int k = spec.KernelSize, heads = plan.Heads, cin = spec.InChannels, cout = spec.OutChannels;
        string[] remarks =
        {
            $"Specialized at compile time: InChannels = {cin}, OutChannels = {cout}, KernelSize = {k} (Heads = {heads}, keys padded by {plan.KeyPadding}), HeadDim = {spec.HeadDim}; height and width are run-time arguments.",
            "Scores −αₕ‖(k − q) − Δₕ‖² do not depend on content and split into a row and a column term, so each head's softmax over the keys is a product of two 1-D softmaxes, " +
                "tabulated once per call (O(Heads · (H² + W²)) exponentials) with each row's band of non-zero weights.",
            $"The value and output projections fold at load into one [{cout}, {heads} · {cin} + 1] matrix (bias as the last column): the attention filters the {cin} input channels " +
                $"(separable, banded: O({heads} · {cin} · H·W · (bandʸ + bandˣ))), then one GEMM gives the output (O({cout} · {heads * cin} · H·W), the cost of the {k}×{k} convolution it can express).",
        };
        return TypeShellEmitter.Emit(
            spec.Identity,
            $"Multi-head self-attention with the quadratic relative position encoding (Cordonnier et al., ICLR 2020): {heads} heads over {cin} → {cout} channels, able to express any {k}×{k} convolution.",
            remarks,
            w =>
            {
                Constant(w, "Channels of the input image.", "InChannels", cin);
                Constant(w, "Channels of the output image.", "OutChannels", cout);
                Constant(w, "K: the layer has K² heads and pads the keys by K / 2.", "KernelSize", k);
                Constant(w, "Number of heads, KernelSize².", "Heads", heads);
                Constant(w, "Width of each head's value projection.", "HeadDim", spec.HeadDim);
                Constant(w, "Zero padding of the key grid on each side.", "Padding", plan.KeyPadding, isPublic: false);
                Constant(w, "Columns of the folded projection: Heads · InChannels, then the bias.", "FoldedColumns", plan.FoldedColumns, isPublic: false);
                PathProperties(w);
                var tensors = new List<Tensor>
                {
                    new("centers", "centers", "Heads", "2"),
                    new("alpha", "alpha", "Heads"),
                    new("value.weight", "valueWeight", "Heads * HeadDim", "InChannels"),
                    new("out.weight", "outWeight", "OutChannels", "Heads * HeadDim"),
                    new("out.bias", "outBias", "OutChannels"),
                };
                var fields = new List<Field>
                {
                    new("readonly float[] Centers = new float[Heads * 2];", "Δₕ [Heads, 2]: row and column offsets."),
                    new("readonly float[] Alpha = new float[Heads];", "αₕ [Heads]."),
                    new("readonly float[] Folded = new float[OutChannels * FoldedColumns];", "out.weight · value.weight per head, then out.bias: [OutChannels, FoldedColumns]."),
                };
                Weights(w, spec.Identity.Type.Name, "the attention layer (ConvolutionAsAttention.Weights builds it from a K×K convolution)", tensors, fields, b =>
                {
                    b.Line("centers.CopyTo(next.Centers, 0);");
                    b.Line("alpha.CopyTo(next.Alpha, 0);");
                    b.Line($"{Runtime}.Fold(valueWeight, outWeight, outBias, Heads, HeadDim, InChannels, OutChannels, next.Folded);");
                });
                using (OpenForward(w, "Applies the layer to each image: <c>y = concat_h(P_h X Wᵥₕᵀ) W_outᵀ + b</c>, <c>P_h</c> the softmax over the padded pixels of <c>−αₕ‖(k − q) − Δₕ‖²</c>.",
                    "InChannels", "OutChannels", "[batch, OutChannels, height, width]"))
                {
                    w.Line("LayerWeights weights = global::System.Threading.Volatile.Read(ref _weights); // one set for the whole pass");
                    w.Line($"{Runtime}.Run(Path, input, output, batch, InChannels, OutChannels, height, width, Heads, Padding, weights.Centers, weights.Alpha, weights.Folded, MaxDegreeOfParallelism);");
                }

                w.Line();
                w.Lines("""
                    /// <summary>
                    /// Each head's attention weights for one query pixel over the zero-padded key grid: <paramref name="maps"/> receives
                    /// <c>[Heads, height + 2·Padding, width + 2·Padding]</c>, key (row, column) = padded coordinates (the paper's figure 1).
                    /// </summary>
                    /// <exception cref="global::System.ArgumentException">A size is not positive, the pixel lies outside the image, or <paramref name="maps"/> has the wrong length.</exception>
                    """);
                w.Line(GeneratedCode.Attribute);
                using (w.Block("public void AttentionMaps(int height, int width, int queryRow, int queryColumn, global::System.Span<float> maps)"))
                {
                    w.Line("LayerWeights weights = global::System.Threading.Volatile.Read(ref _weights);");
                    w.Line($"{Runtime}.QueryMaps(weights.Centers, weights.Alpha, Heads, Padding, height, width, queryRow, queryColumn, maps);");
                }
            });
    }
}
