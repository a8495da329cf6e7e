using static Attend.Generators.Emit.PointwiseLayerEmitter;

namespace Attend.Generators.Emit;

/// <summary>Writes a <c>[SeparableSelfAttention]</c> class (MobileViTv2): constants, packed projections, <c>LoadWeights</c> and <c>Forward</c>.</summary>
internal static class SeparableSelfAttentionEmitter
{
    public static string Emit(SeparableSelfAttentionSpec spec)
    {
        int d = spec.ModelDim;
        string value = spec.ValueRelu ? "relu(fc_v(x))" : "fc_v(x)";
        string[] remarks =
        {
            $"Specialized at compile time: ModelDim = {d}, {(spec.ValueRelu ? "ReLU on the value branch (apple/ml-cvnets' LinearSelfAttention)" : "no activation on the value branch (the collection's module)")}; batch and tokens are run-time arguments.",
            $"fc_v and fc_o are matrix products over all batch × tokens rows on ProjectionDriver (LinearKernels' packed GEMM, [rows × {d}] · [{d} × {d}]): O(N·ModelDim²) per sequence, linear in the tokens.",
            "fc_k never runs per token: the context scores sum to one, so Σ_N c · fc_k(x) = W_k (Σ_N c · x) + b_k — one weighted pooling of the tokens and one mat-vec per sequence. " +
                "The scores are one dot product per token (fc_i), and fc_i.bias is read and checked but unused: the softmax over the tokens cancels it.",
            "Scratch is the calling thread's LayerScratch buffer: a warm Forward allocates nothing.",
        };
        return TypeShellEmitter.Emit(
            spec.Identity,
            $"MobileViTv2 separable self-attention over {d}-feature tokens, as <c>MobileViTv2Attention(d_model)</c> of External-Attention-pytorch{(spec.ValueRelu ? " with ml-cvnets' ReLU on the values" : "")}.",
            remarks,
            w =>
            {
                EmitConstant(w, "ModelDim", d, "Features per token (<c>d_model</c>).");
                FeatureMapLayerEmitter.EmitFields(w, new()
                {
                    new("fc_i.weight", "_scoreWeight", new[] { "ModelDim" }),
                    new("fc_k.weight (packed)", "_packedKey", new[] { $"{Linear}.PackedLength(ModelDim, ModelDim)" }),
                    new("fc_k.bias", "_keyBias", new[] { "ModelDim" }),
                    new("fc_v.weight (packed)", "_packedValue", new[] { $"{Linear}.PackedLength(ModelDim, ModelDim)" }),
                    new("fc_v.bias", "_valueBias", new[] { "ModelDim" }),
                    new("fc_o.weight (packed)", "_packedOutput", new[] { $"{Linear}.PackedLength(ModelDim, ModelDim)" }),
                    new("fc_o.bias", "_outputBias", new[] { "ModelDim" }),
                });
                FeatureMapLayerEmitter.EmitPathProperties(w);
                EmitLoadWeights(w, "<c>MobileViTv2Attention</c>",
                    new[] { "<c>fc_i.weight</c> [1, ModelDim]", "<c>fc_i.bias</c> [1]", "<c>fc_k.weight</c>, <c>fc_v.weight</c>, <c>fc_o.weight</c> [ModelDim, ModelDim]", "<c>fc_k.bias</c>, <c>fc_v.bias</c>, <c>fc_o.bias</c> [ModelDim]" },
                    "The square projections are packed for LinearKernels.",
                    r =>
                    {
                        r.Line($"{Read}(source, prefix, \"fc_i.weight\", 1, ModelDim).CopyTo(next.ScoreWeight, 0);");
                        r.Line($"{Read}(source, prefix, \"fc_i.bias\", 1); // checked only: the softmax over the tokens cancels it");
                        foreach ((string name, string member) in new[] { ("fc_k", "Key"), ("fc_v", "Value"), ("fc_o", "Output") })
                        {
                            r.Line($"{Linear}.Pack({Read}(source, prefix, \"{name}.weight\", ModelDim, ModelDim), ModelDim, ModelDim, next.Packed{member});");
                            r.Line($"{Read}(source, prefix, \"{name}.bias\", ModelDim).CopyTo(next.{member}Bias, 0);");
                        }
                    });
                EmitTokenForwardDocs(w, $"<c>c = softmax_N(fc_i(x))</c>, <c>context = Σ_N c · fc_k(x)</c>, <c>y = fc_o({value} · context)</c>",
                    "<param name=\"contextScores\">Optional; receives the context scores c <c>[batch, tokens]</c>.</param>",
                    "<param name=\"contextVector\">Optional; receives the context vector <c>[batch, ModelDim]</c>.</param>");
                using (w.Block("public void Forward(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int batch, int tokens, global::System.Span<float> contextScores = default, global::System.Span<float> contextVector = default)"))
                {
                    EmitTokenChecks(w);
                    w.Lines("""
                        if (!contextScores.IsEmpty) global::Attend.Kernels.ArgumentChecks.Length(contextScores.Length, (long)batch * tokens, nameof(contextScores), $"batch × tokens = {batch} × {tokens}");
                        if (!contextVector.IsEmpty) global::Attend.Kernels.ArgumentChecks.Length(contextVector.Length, (long)batch * ModelDim, nameof(contextVector), $"batch × ModelDim = {batch} × {ModelDim}");
                        if (global::System.MemoryExtensions.Overlaps(input, output)) throw new global::System.ArgumentException("output must not overlap input.", nameof(output));
                        LayerWeights weights = global::System.Threading.Volatile.Read(ref _weights); // one set for the whole pass
                        global::Attend.KernelPath path = global::Attend.Kernels.KernelPaths.Resolve(Path);
                        int rows = batch * tokens; // fits: input.Length was checked above
                        long scratchLength = elements + tokens + 2L * ModelDim;
                        if (scratchLength > global::System.Array.MaxLength) throw new global::System.ArgumentException($"batch × tokens × ModelDim = {elements} floats of values, more than one array holds; split the batch.", nameof(batch));
                        global::System.Span<float> scratch = global::System.MemoryExtensions.AsSpan(global::Attend.Kernels.LayerScratch.Rent((int)scratchLength), 0, (int)scratchLength);
                        global::System.Span<float> values = scratch.Slice(0, (int)elements);
                        global::System.Span<float> pooled = scratch.Slice((int)elements + tokens, ModelDim);
                        """);
                    w.Line();
                    w.Line($"// v = {value} for every token of every sequence: [rows, ModelDim].");
                    w.Line($"{Projection}.Forward(path, input, rows, ModelDim, weights.PackedValue, weights.ValueBias, ModelDim, ModelDim, values, ModelDim, MaxDegreeOfParallelism);");
                    if (spec.ValueRelu) w.Line("global::Attend.Kernels.Activations.Relu(path, values, values);");
                    using (w.Block("for (int b = 0; b < batch; b++)"))
                    {
                        w.Lines("""
                            global::System.ReadOnlySpan<float> sequence = input.Slice(b * tokens * ModelDim, tokens * ModelDim);
                            global::System.Span<float> scores = contextScores.IsEmpty ? scratch.Slice((int)elements, tokens) : contextScores.Slice(b * tokens, tokens);
                            global::System.Span<float> context = contextVector.IsEmpty ? scratch.Slice((int)elements + tokens + ModelDim, ModelDim) : contextVector.Slice(b * ModelDim, ModelDim);
                            // c = softmax over the tokens of fc_i(x) (its bias cancels).
                            """);
                        w.Line($"{Kernels}.RowDots(path, sequence, weights.ScoreWeight, 0f, scores);");
                        w.Line("global::Attend.Kernels.Softmax.Forward(path, scores, 1, tokens, scores);");
                        w.Line("// context = W_k (Σ_N c · x) + b_k, which equals Σ_N c · fc_k(x) because Σ_N c = 1.");
                        w.Line($"{Kernels}.WeightedRowSum(path, sequence, scores, 0f, pooled);");
                        w.Line($"{Linear}.Forward(path, pooled, 1, ModelDim, weights.PackedKey, weights.KeyBias, ModelDim, ModelDim, context, ModelDim);");
                        w.Line($"{Kernels}.ScaleColumns(path, values.Slice(b * tokens * ModelDim, tokens * ModelDim), context);");
                    }

                    w.Line();
                    w.Line("// y = fc_o(v · context).");
                    w.Line($"{Projection}.Forward(path, values, rows, ModelDim, weights.PackedOutput, weights.OutputBias, ModelDim, ModelDim, output, ModelDim, MaxDegreeOfParallelism);");
                }
            });
    }
}
