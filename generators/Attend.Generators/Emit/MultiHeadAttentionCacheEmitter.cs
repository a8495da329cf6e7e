namespace Attend.Generators.Emit;

/// <summary>
/// Writes the KV-cache members of a causal self-attention <c>[MultiHeadAttention]</c>: <c>CreateKvCache</c>, <c>Prefill</c>
/// and the one-token decode <c>Forward</c>. Each call projects only the new tokens, appends their keys and values to the
/// cache, and lets the new queries attend to every cached position (the causal diagonal shifted by what is cached): the
/// cached ones read in place from the cache (float or bfloat16), their own from the projected rows.
/// </summary>
internal static class MultiHeadAttentionCacheEmitter
{
    public static void Emit(SourceWriter w, MultiHeadAttentionSpec spec, HeadShape shape)
    {
        string kvHeads = MultiHeadAttentionEmitter.Grouped(spec) ? "KvHeads" : "Heads";
        string qkvWidth = MultiHeadAttentionEmitter.QkvWidth(spec);
        string valueColumn = MultiHeadAttentionEmitter.Grouped(spec) ? "InnerDim + KvInnerDim" : "2 * InnerDim";

        w.Line();
        KvCacheMembersEmitter.Emit(w, "layer", "1", "1 layer", kvHeads, _ =>
        {
            w.Line();
            w.Lines("""
                PackedWeights weights = global::System.Threading.Volatile.Read(ref _weights); // one set for the whole pass
                global::Attend.KernelPath path = global::Attend.Kernels.KernelPaths.Resolve(Path);
                int threads = MaxDegreeOfParallelism;
                int rows = batch * length; // fits: input.Length was checked above
                """);
            w.Line($"long scratchLength = (long)rows * ({qkvWidth} + InnerDim);");
            w.Lines("""
                if (scratchLength > global::System.Array.MaxLength) throw new global::System.ArgumentException($"cache.Batch × length is too large: the projected Q, K, V need {scratchLength} floats, more than one array holds; prefill in shorter pieces.", nameof(length));
                // This thread's reusable buffer: a warm call allocates nothing; other threads' calls have their own.
                float[] scratch = global::Attend.Kernels.LayerScratch.Rent((int)scratchLength);
                """);
            w.Line($"global::System.Span<float> qkv = global::System.MemoryExtensions.AsSpan(scratch, 0, rows * {qkvWidth});");
            w.Line($"global::System.Span<float> context = global::System.MemoryExtensions.AsSpan(scratch, rows * {qkvWidth}, rows * InnerDim);");
            w.Line($"global::Attend.Kernels.ProjectionDriver.Forward(path, input, rows, ModelDim, weights.QkvWeight, {(spec.Bias ? "weights.InputBias" : "default")}, ModelDim, {qkvWidth}, qkv, {qkvWidth}, threads);");
            w.Line();
            w.Line("// The new keys and values join the cache for later steps; this call reads the cached ones in place and its own from qkv.");
            w.Line($"cache.Store(0, qkv, length, {qkvWidth}, InnerDim, {valueColumn});");
            w.Line("int past = cache.Length;");
            var extra = new System.Collections.Generic.List<string> { "CausalOffset = past" };
            if (spec.Window > 0) extra.Add("Window = Window");
            AttentionCallEmitter.Emit(w, shape, new AttentionCall(
                "batch", "Heads", kvHeads, "length", "past + length",
                new StridedView("qkv", $"length * {qkvWidth}", "DimHead", qkvWidth),
                new StridedView("qkv.Slice(InnerDim)", $"length * {qkvWidth}", "DimHead", qkvWidth),
                new StridedView($"qkv.Slice({valueColumn})", $"length * {qkvWidth}", "DimHead", qkvWidth),
                new StridedView("context", "length * InnerDim", "DimHead", "InnerDim"),
                "ScoreScale", "true", "default", "default") { Extra = extra, Cache = "cache" });
            w.Line($"global::Attend.Kernels.ProjectionDriver.Forward(path, context, rows, InnerDim, weights.OutputWeight, {(spec.Bias ? "weights.OutputBias" : "default")}, InnerDim, ModelDim, output, ModelDim, threads);");
            w.Line("cache.Advance(length);");
        });
    }
}
