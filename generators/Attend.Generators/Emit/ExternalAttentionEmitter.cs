using static Attend.Generators.Emit.PointwiseLayerEmitter;

namespace Attend.Generators.Emit;

/// <summary>Writes an <c>[ExternalAttention]</c> class: constants, packed memories, <c>LoadWeights</c> and <c>Forward</c>.</summary>
internal static class ExternalAttentionEmitter
{
    public static string Emit(ExternalAttentionSpec spec)
    {
        int d = spec.ModelDim, s = spec.MemoryUnits;
        string[] remarks =
        {
            $"Specialized at compile time: ModelDim = {d}, MemoryUnits = {s}; batch and tokens are run-time arguments.",
            $"Both memories are matrix products over all batch × tokens rows on ProjectionDriver (LinearKernels' packed GEMM, split across threads by row blocks): " +
                $"a = x mkᵀ [rows × {d}] · [{d} × {s}] and y = a mvᵀ [rows × {s}] · [{s} × {d}] — O(N·ModelDim·MemoryUnits) per sequence, linear in the tokens.",
            "Double normalisation between them: a softmax over the tokens of each sequence (down each memory unit's column, accumulated a row at a time with vectors across the units, one exponential per element), then each token's row divided by its sum over the memory units (no ε, as the module), fused with the softmax's division.",
            "Scratch is the calling thread's LayerScratch buffer (or the caller's attention span): a warm Forward allocates nothing.",
        };
        return TypeShellEmitter.Emit(
            spec.Identity,
            $"External Attention with {s} memory units over {d}-feature tokens, as <c>ExternalAttention(d_model, S)</c> of External-Attention-pytorch.",
            remarks,
            w =>
            {
                EmitConstant(w, "ModelDim", d, "Features per token (<c>d_model</c>).");
                EmitConstant(w, "MemoryUnits", s, "Memory units S (<c>S</c>).");
                FeatureMapLayerEmitter.EmitFields(w, new()
                {
                    new("mk.weight (packed)", "_packedKeyMemory", new[] { $"{Linear}.PackedLength(ModelDim, MemoryUnits)" }),
                    new("mv.weight (packed)", "_packedValueMemory", new[] { $"{Linear}.PackedLength(MemoryUnits, ModelDim)" }),
                });
                FeatureMapLayerEmitter.EmitPathProperties(w);
                EmitLoadWeights(w, "<c>ExternalAttention</c>", new[] { "<c>mk.weight</c> [MemoryUnits, ModelDim]", "<c>mv.weight</c> [ModelDim, MemoryUnits]" },
                    "Both are packed for LinearKernels.",
                    r =>
                    {
                        r.Line($"{Linear}.Pack({Read}(source, prefix, \"mk.weight\", MemoryUnits, ModelDim), ModelDim, MemoryUnits, next.PackedKeyMemory);");
                        r.Line($"{Linear}.Pack({Read}(source, prefix, \"mv.weight\", ModelDim, MemoryUnits), MemoryUnits, ModelDim, next.PackedValueMemory);");
                    });
                EmitTokenForwardDocs(w, "<c>a = x mkᵀ</c>, softmax over the tokens, each row divided by its sum over the memory units, <c>y = a mvᵀ</c>",
                    "<param name=\"attention\">Optional; receives the doubly normalised attention <c>[batch, tokens, MemoryUnits]</c>.</param>");
                using (w.Block("public void Forward(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int batch, int tokens, global::System.Span<float> attention = default)"))
                {
                    EmitTokenChecks(w);
                    w.Lines("""
                        long attentionLength = (long)batch * tokens * MemoryUnits;
                        if (!attention.IsEmpty) global::Attend.Kernels.ArgumentChecks.Length(attention.Length, attentionLength, nameof(attention), $"batch × tokens × MemoryUnits = {batch} × {tokens} × {MemoryUnits}");
                        else if (attentionLength > global::System.Array.MaxLength) throw new global::System.ArgumentException($"batch × tokens × MemoryUnits = {attentionLength} floats, more than one array holds; split the batch.", nameof(batch));
                        if (global::System.MemoryExtensions.Overlaps(input, output)) throw new global::System.ArgumentException("output must not overlap input.", nameof(output));
                        LayerWeights weights = global::System.Threading.Volatile.Read(ref _weights); // one set for the whole pass
                        global::Attend.KernelPath path = global::Attend.Kernels.KernelPaths.Resolve(Path);
                        int rows = batch * tokens; // fits: input.Length was checked above
                        global::System.Span<float> scores = attention.IsEmpty ? global::System.MemoryExtensions.AsSpan(global::Attend.Kernels.LayerScratch.Rent((int)attentionLength), 0, (int)attentionLength) : attention;
                        """);
                    w.Line();
                    w.Line("// a = x mkᵀ for every token of every sequence: [rows, MemoryUnits].");
                    w.Line($"{Projection}.Forward(path, input, rows, ModelDim, weights.PackedKeyMemory, default, ModelDim, MemoryUnits, scores, MemoryUnits, MaxDegreeOfParallelism);");
                    w.Line("// Softmax over the tokens (dim 1) of each sequence, then l1 over the memory units: row-wise passes, vectors across the units.");
                    w.Line($"{Kernels}.TokenSoftmaxThenRowSums(path, scores, batch, tokens, MemoryUnits);");
                    w.Line("// y = a mvᵀ.");
                    w.Line($"{Projection}.Forward(path, scores, rows, MemoryUnits, weights.PackedValueMemory, default, MemoryUnits, ModelDim, output, ModelDim, MaxDegreeOfParallelism);");
                }
            });
    }
}
