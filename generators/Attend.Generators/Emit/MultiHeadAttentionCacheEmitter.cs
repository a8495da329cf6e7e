using Attend.Generators.Model;

namespace Attend.Generators.Emit;

/// <summary>
/// Writes the KV-cache members of a causal self-attention <c>[MultiHeadAttention]</c>: <c>CreateKvCache</c>, <c>Prefill</c>
/// and the one-token decode <c>Forward</c>. Each call projects only the new tokens, appends their keys and values to the
/// cache, and lets the new queries attend to every cached position (the causal diagonal shifted by what is cached).
/// </summary>
internal static class MultiHeadAttentionCacheEmitter
{
    /// <summary>
    /// Causal self-attention only: a cache holds the keys of the sequence being decoded, so it needs query = key = value
    /// (packed dims) and no per-call padding mask (a padded position would have to stay masked in every later step).
    /// </summary>
    public static bool Applies(MultiHeadAttentionSpec spec, bool packedDims) => spec.Causal && !spec.KeyPadding && packedDims;

    public static void Emit(SourceWriter w, MultiHeadAttentionSpec spec)
    {
        string kvHeads = MultiHeadAttentionEmitter.Grouped(spec) ? "KvHeads" : "Heads";
        string kvInner = MultiHeadAttentionEmitter.KvInner(spec);
        string qkvWidth = MultiHeadAttentionEmitter.QkvWidth(spec);
        string valueColumn = MultiHeadAttentionEmitter.Grouped(spec) ? "InnerDim + KvInnerDim" : "2 * InnerDim";

        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Creates a key/value cache for this layer: <paramref name=\"batch\"/> sequences of up to <paramref name=\"capacity\"/> positions.");
        w.Line("/// Fill it with <see cref=\"Prefill\"/>, extend it one token per sequence with <see cref=\"Forward(ReadOnlySpan{float}, Span{float}, KvCache)\"/>,");
        w.Line("/// and <see cref=\"KvCache.Reset\"/> it to start new sequences.");
        w.Line("/// </summary>");
        w.Line(GeneratedCode.Attribute);
        w.Line($"public KvCache CreateKvCache(int batch, int capacity) => new KvCache(1, batch, {kvHeads}, DimHead, capacity);");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Runs <paramref name=\"length\"/> new tokens per sequence that follow the <c>cache.Length</c> already cached, stores their keys and");
        w.Line("/// values in <paramref name=\"cache\"/>, and advances it. Equal, up to summation order, to the last <paramref name=\"length\"/> rows of");
        w.Line("/// a causal <c>Forward</c> over the whole prefix. Allocates nothing once warm.");
        w.Line("/// </summary>");
        w.Line("/// <param name=\"input\">New tokens <c>[cache.Batch, length, ModelDim]</c>.</param>");
        w.Line("/// <param name=\"output\">Receives <c>[cache.Batch, length, ModelDim]</c>; may be <paramref name=\"input\"/> itself.</param>");
        w.Line("/// <param name=\"length\">New tokens per sequence.</param>");
        w.Line("/// <param name=\"cache\">A cache from <see cref=\"CreateKvCache\"/> with room for <paramref name=\"length\"/> more positions.</param>");
        w.Line("/// <exception cref=\"ArgumentException\">A size does not match, or the cache is full or of another shape.</exception>");
        w.Line(GeneratedCode.Attribute);
        using (w.Block("public void Prefill(ReadOnlySpan<float> input, Span<float> output, int length, KvCache cache)"))
        {
            w.Line("ArgumentNullException.ThrowIfNull(cache);");
            w.Line($"if (cache.Layers != 1 || cache.KvHeads != {kvHeads} || cache.DimHead != DimHead) throw new ArgumentException($\"The cache holds {{cache.Layers}} layers of {{cache.KvHeads}} × {{cache.DimHead}}; this layer needs 1 layer of {{{kvHeads}}} × {{DimHead}}: create it with CreateKvCache.\", nameof(cache));");
            w.Line("ArgumentChecks.Positive(length, nameof(length));");
            w.Line("cache.EnsureRoom(length);");
            w.Line("int batch = cache.Batch;");
            w.Line("ArgumentChecks.Length(input.Length, (long)batch * length * ModelDim, nameof(input), $\"cache.Batch × length × ModelDim = {batch} × {length} × {ModelDim}\");");
            w.Line("ArgumentChecks.Length(output.Length, (long)batch * length * ModelDim, nameof(output), $\"cache.Batch × length × ModelDim = {batch} × {length} × {ModelDim}\");");
            w.Line("if (output.Overlaps(input, out int shift) && shift != 0) throw new ArgumentException(\"output may be input itself but must not partially overlap it.\", nameof(output));");
            w.Line();
            w.Line("PackedWeights weights = System.Threading.Volatile.Read(ref _weights); // one set for the whole pass");
            w.Line("KernelPath path = KernelPaths.Resolve(Path);");
            w.Line("int threads = MaxDegreeOfParallelism;");
            w.Line("int rows = batch * length; // fits: input.Length was checked above");
            w.Line($"long scratchLength = (long)rows * ({qkvWidth} + InnerDim);");
            w.Line("if (scratchLength > Array.MaxLength) throw new ArgumentException($\"cache.Batch × length is too large: the projected Q, K, V need {scratchLength} floats, more than one array holds; prefill in shorter pieces.\", nameof(length));");
            w.Line("// This thread's reusable buffer: a warm call allocates nothing; other threads' calls have their own.");
            w.Line("float[] scratch = LayerScratch.Rent((int)scratchLength);");
            w.Line($"Span<float> qkv = scratch.AsSpan(0, rows * {qkvWidth});");
            w.Line($"Span<float> context = scratch.AsSpan(rows * {qkvWidth}, rows * InnerDim);");
            w.Line($"ProjectionDriver.Forward(path, input, rows, ModelDim, weights.QkvWeight, {(spec.Bias ? "weights.InputBias" : "default")}, ModelDim, {qkvWidth}, qkv, {qkvWidth}, threads);");
            w.Line();
            w.Line("// The new keys and values join the cache first; the queries then read every cached position in place.");
            w.Line($"cache.Store(0, qkv, length, {qkvWidth}, InnerDim, {valueColumn});");
            w.Line("int past = cache.Length;");
            w.Line("int keyLength = past + length;");
            w.Line("ReadOnlySpan<float> keys = cache.Keys(0);");
            w.Line("ReadOnlySpan<float> values = cache.Values(0);");
            w.Line($"int cacheBatchStride = cache.Capacity * {kvInner};");
            var extra = new System.Collections.Generic.List<string> { "CausalOffset = past" };
            if (spec.Window > 0) extra.Add("Window = Window");
            AttentionCallEmitter.Emit(w, new AttentionCall(
                "batch", "Heads", kvHeads, "length", "keyLength",
                new StridedView("qkv", $"length * {qkvWidth}", "DimHead", qkvWidth),
                new StridedView("keys", "cacheBatchStride", "DimHead", kvInner),
                new StridedView("values", "cacheBatchStride", "DimHead", kvInner),
                new StridedView("context", "length * InnerDim", "DimHead", "InnerDim"),
                "ScoreScale", "true", "default", "default") { Extra = extra });
            w.Line($"ProjectionDriver.Forward(path, context, rows, InnerDim, weights.OutputWeight, {(spec.Bias ? "weights.OutputBias" : "default")}, InnerDim, ModelDim, output, ModelDim, threads);");
            w.Line("cache.Advance(length);");
        }

        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Decodes one new token per sequence: attends to every cached position plus itself, stores its key and value and");
        w.Line("/// advances <paramref name=\"cache\"/>. Equal, up to summation order, to the last row of a causal <c>Forward</c> over the prefix.");
        w.Line("/// </summary>");
        w.Line("/// <param name=\"tokens\">One token per sequence, <c>[cache.Batch, ModelDim]</c>.</param>");
        w.Line("/// <param name=\"output\">Receives <c>[cache.Batch, ModelDim]</c>; may be <paramref name=\"tokens\"/> itself.</param>");
        w.Line("/// <param name=\"cache\">A cache from <see cref=\"CreateKvCache\"/> with room for one more position.</param>");
        w.Line("/// <exception cref=\"ArgumentException\">A size does not match, or the cache is full or of another shape.</exception>");
        w.Line(GeneratedCode.Attribute);
        w.Line("public void Forward(ReadOnlySpan<float> tokens, Span<float> output, KvCache cache) => Prefill(tokens, output, 1, cache);");
    }
}
