using static Attend.Generators.Emit.ImageLayerEmitter;

namespace Attend.Generators.Emit;

/// <summary>Writes a <c>[DanetPositionAttention]</c> class: constants, packed weights, <c>LoadWeights</c>, <c>Forward</c> and its head kernels.</summary>
internal static class DanetPositionAttentionEmitter
{
    private const string Packed = "global::Attend.Kernels.LinearKernels";

    public static string Emit(HeadLayerPlan<DanetPositionAttentionSpec> layer)
    {
        DanetPositionAttentionSpec spec = layer.Spec;
        int c = spec.Channels, dqk = spec.QueryKeyChannels;
        HeadKernelPlan plan = layer.Kernels;
        var remarks = new List<string>
        {
            spec.Official
                ? $"The DANet authors' PAM_Module: Channels = {c}, QueryKeyChannels = {dqk}; y = gamma · (v softmax(qᵀk)ᵀ) + x, no scale; height and width are run-time arguments."
                : $"External-Attention-pytorch's PositionAttentionModule: Channels = {c}, a {spec.KernelSize}×{spec.KernelSize} convolution, then one head of width {c} with scale 1/√{c}; output [batch, H·W, {c}] like the module's.",
            "The (H·W) × (H·W) attention runs on the tiled flash-attention driver with head kernels specialized below, so the map is never stored: " +
                $"O(batch · (H·W)² · {2 * dqk + c}) multiply-adds, O(batch · H·W · {2 * c + 2 * dqk + c}) floats of scratch.",
            $"Queries, keys and values are one GEMM: their weights are stacked into one [{2 * dqk + c}, {c}] matrix and packed once at load.",
        };
        remarks.AddRange(HeadKernelRemarks(plan));
        return TypeShellEmitter.Emit(
            spec.Identity,
            $"DANet position attention over {c} channels ({(spec.Official ? "the authors' PAM" : "External-Attention-pytorch's head")}), on NCHW maps.",
            remarks.ToArray(),
            w =>
            {
                Constant(w, "Channels C of the feature map.", "Channels", c);
                Constant(w, "Width of queries and keys.", "QueryKeyChannels", dqk);
                if (!spec.Official) Constant(w, "Kernel size of the <c>cnn</c> convolution before the attention (padding KernelSize / 2).", "KernelSize", spec.KernelSize);
                Constant(w, "Queries, keys and values side by side in one projected row.", "ProjectionWidth", 2 * dqk + c, isPublic: false);
                PathProperties(w);
                if (spec.Official) EmitOfficialWeights(w, spec.Identity.Type.Name);
                else EmitCollectionWeights(w, spec.Identity.Type.Name);
                string formula = spec.Official
                    ? "Applies PAM to each sample: <c>y = gamma · (v · softmax(qᵀk)ᵀ) + x</c>, <c>q, k, v</c> the 1×1 convolutions of <c>x</c>."
                    : "Applies the collection's position head: <c>t = cnn(x)</c> as tokens, <c>y = fc_o(softmax(fc_q(t) fc_k(t)ᵀ / √C) fc_v(t))</c>, written <c>[batch, height·width, Channels]</c>.";
                using (OpenForward(w, formula, "Channels", "Channels", spec.Official ? "[batch, Channels, height, width]" : "[batch, height·width, Channels]"))
                {
                    w.Line("LayerWeights weights = global::System.Threading.Volatile.Read(ref _weights); // one set for the whole pass");
                    w.Line(spec.Official
                        ? $"global::Attend.Kernels.DualAttention.PositionOfficial<{HeadKernelsEmitter.TypeName(layer.Shape)}>(Path, input, output, batch, Channels, height, width, weights.Projection, weights.ProjectionBias, QueryKeyChannels, weights.Gamma[0], MaxDegreeOfParallelism);"
                        : $"global::Attend.Kernels.DualAttention.PositionCollection<{HeadKernelsEmitter.TypeName(layer.Shape)}>(Path, input, output, batch, Channels, height, width, weights.ConvWeight, weights.ConvBias, KernelSize, weights.Projection, weights.ProjectionBias, weights.Output, weights.OutputBias, MaxDegreeOfParallelism);");
                }

                w.Line();
            });
    }

    private static void EmitOfficialWeights(SourceWriter w, string typeName)
    {
        var tensors = new List<Tensor>
        {
            new("gamma", "gamma", "1"),
            new("query_conv.weight", "queryWeight", "QueryKeyChannels", "Channels", "1", "1"),
            new("query_conv.bias", "queryBias", "QueryKeyChannels"),
            new("key_conv.weight", "keyWeight", "QueryKeyChannels", "Channels", "1", "1"),
            new("key_conv.bias", "keyBias", "QueryKeyChannels"),
            new("value_conv.weight", "valueWeight", "Channels", "Channels", "1", "1"),
            new("value_conv.bias", "valueBias", "Channels"),
        };
        var fields = new List<Field>
        {
            new($"readonly float[] Projection = new float[{Packed}.PackedLength(Channels, ProjectionWidth)];", "query_conv, key_conv, value_conv stacked [ProjectionWidth, Channels] and packed for the GEMM."),
            new("readonly float[] ProjectionBias = new float[ProjectionWidth];", "Their biases, stacked the same way."),
            new("readonly float[] Gamma = new float[1];", "gamma [1], the residual weight."),
        };
        Weights(w, typeName, "the DANet authors' PAM_Module", tensors, fields, b =>
        {
            StackProjections(b, "query", "key", "value", "QueryKeyChannels");
            b.Line("gamma.CopyTo(next.Gamma, 0);");
        });
    }

    private static void EmitCollectionWeights(SourceWriter w, string typeName)
    {
        var tensors = new List<Tensor> { new("cnn.weight", "convWeight", "Channels", "Channels", "KernelSize", "KernelSize"), new("cnn.bias", "convBias", "Channels") };
        foreach (string p in new[] { "q", "k", "v", "o" })
        {
            tensors.Add(new($"pa.fc_{p}.weight", $"{p}Weight", "Channels", "Channels"));
            tensors.Add(new($"pa.fc_{p}.bias", $"{p}Bias", "Channels"));
        }

        var fields = new List<Field>
        {
            new("readonly float[] ConvWeight = new float[Channels * Channels * KernelSize * KernelSize];", "cnn.weight [Channels, Channels, KernelSize, KernelSize]."),
            new("readonly float[] ConvBias = new float[Channels];", "cnn.bias."),
            new($"readonly float[] Projection = new float[{Packed}.PackedLength(Channels, ProjectionWidth)];", "pa.fc_q, fc_k, fc_v stacked [ProjectionWidth, Channels] and packed for the GEMM."),
            new("readonly float[] ProjectionBias = new float[ProjectionWidth];", "Their biases, stacked the same way."),
            new($"readonly float[] Output = new float[{Packed}.PackedLength(Channels, Channels)];", "pa.fc_o.weight, packed."),
            new("readonly float[] OutputBias = new float[Channels];", "pa.fc_o.bias."),
        };
        Weights(w, typeName, "External-Attention-pytorch's PositionAttentionModule", tensors, fields, b =>
        {
            b.Lines("""
                convWeight.CopyTo(next.ConvWeight, 0);
                convBias.CopyTo(next.ConvBias, 0);
                """);
            StackProjections(b, "q", "k", "v", "Channels");
            b.Line($"{Packed}.Pack(oWeight, Channels, Channels, next.Output);");
            b.Line("oBias.CopyTo(next.OutputBias, 0);");
        });
    }

    /// <summary>
    /// Stacks the query, key and value 1×1 projections (the first two of <paramref name="queryKeyRows"/> rows each) into one
    /// <c>[ProjectionWidth, Channels]</c> weight, packed for a single GEMM, with their biases stacked the same way.
    /// </summary>
    private static void StackProjections(SourceWriter b, string query, string key, string value, string queryKeyRows)
    {
        b.Lines($$"""
            float[] stacked = new float[ProjectionWidth * Channels];
            {{query}}Weight.CopyTo(stacked, 0);
            {{key}}Weight.CopyTo(stacked, {{queryKeyRows}} * Channels);
            {{value}}Weight.CopyTo(stacked, 2 * {{queryKeyRows}} * Channels);
            {{Packed}}.Pack(stacked, Channels, ProjectionWidth, next.Projection);
            {{query}}Bias.CopyTo(next.ProjectionBias, 0);
            {{key}}Bias.CopyTo(next.ProjectionBias, {{queryKeyRows}});
            {{value}}Bias.CopyTo(next.ProjectionBias, 2 * {{queryKeyRows}});
            """);
    }
}
