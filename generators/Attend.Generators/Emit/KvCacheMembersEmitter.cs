namespace Attend.Generators.Emit;

/// <summary>
/// The KV-cache surface shared by every causal layer that decodes: <c>CreateKvCache</c>, <c>Prefill</c> (docs and the
/// argument checks, then the layer's own body) and the one-token <c>Forward</c>.
/// </summary>
internal static class KvCacheMembersEmitter
{
    /// <param name="w">The writer, inside the class body.</param>
    /// <param name="noun">What the class is in the docs and messages: "layer" or "stack".</param>
    /// <param name="layers">The C# expression for the cache's layer count, e.g. <c>Depth</c> or <c>1</c>.</param>
    /// <param name="layersPhrase">The same in the shape message, e.g. <c>{Depth} layers</c> or <c>1 layer</c> (an interpolation hole is allowed).</param>
    /// <param name="kvHeads">The C# expression for the key/value heads, e.g. <c>KvHeads</c> or <c>Heads</c>.</param>
    /// <param name="prefillBody">Writes the rest of <c>Prefill</c> once every argument is checked (<c>batch</c> is in scope).</param>
    public static void Emit(SourceWriter w, string noun, string layers, string layersPhrase, string kvHeads, Action<SourceWriter> prefillBody)
    {
        CreateKvCache(
            $"/// Creates a key/value cache for this {noun}: <paramref name=\"batch\"/> sequences of up to <paramref name=\"capacity\"/> positions.",
            """
            /// Fill it with <see cref="Prefill"/>, extend it one token per sequence with <see cref="Forward(global::System.ReadOnlySpan{float}, global::System.Span{float}, global::Attend.KvCache)"/>,
            /// and <see cref="global::Attend.KvCache.Reset"/> it to start new sequences.
            /// </summary>
            """,
            "", "");
        CreateKvCache(
            $"/// Creates a key/value cache for this {noun} that stores keys and values in <paramref name=\"precision\"/>:",
            """
            /// <see cref="global::Attend.KvCachePrecision.BFloat16"/> halves the bytes a decoding step reads (and the cache's memory),
            /// at a relative rounding error of at most 2⁻⁸ per cached value; the arithmetic stays in 32-bit floats.
            /// </summary>
            """,
            ", global::Attend.KvCachePrecision precision", ", precision");
        w.Lines("""
            /// <summary>
            /// Runs <paramref name="length"/> new tokens per sequence that follow the <c>cache.Length</c> already cached, stores their keys and
            /// values in <paramref name="cache"/>, and advances it. Equal, up to summation order, to the last <paramref name="length"/> rows of
            /// a causal <c>Forward</c> over the whole prefix. Allocates nothing once warm.
            /// </summary>
            """);
        LayerMembers.Params(w, ("input", "New tokens <c>[cache.Batch, length, ModelDim]</c>."), ("output", "Receives <c>[cache.Batch, length, ModelDim]</c>; may be <paramref name=\"input\"/> itself."), ("length", "New tokens per sequence."), ("cache", "A cache from <see cref=\"CreateKvCache(int, int)\"/> with room for <paramref name=\"length\"/> more positions."));
        using (LayerMembers.OpenChecked(w, "public void Prefill(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int length, global::Attend.KvCache cache)", "A size does not match, or the cache is full or of another shape."))
        {
            w.Line("global::System.ArgumentNullException.ThrowIfNull(cache);");
            w.Line($"if (cache.Layers != {layers} || cache.KvHeads != {kvHeads} || cache.DimHead != DimHead) throw new global::System.ArgumentException($\"The cache holds {{cache.Layers}} layers of {{cache.KvHeads}} × {{cache.DimHead}}; this {noun} needs {layersPhrase} of {{{kvHeads}}} × {{DimHead}}: create it with CreateKvCache.\", nameof(cache));");
            w.Lines("""
                global::Attend.Kernels.ArgumentChecks.Positive(length, nameof(length));
                cache.EnsureRoom(length);
                int batch = cache.Batch;
                global::Attend.Kernels.ArgumentChecks.Length(input.Length, (long)batch * length * ModelDim, nameof(input), $"cache.Batch × length × ModelDim = {batch} × {length} × {ModelDim}");
                global::Attend.Kernels.ArgumentChecks.Length(output.Length, (long)batch * length * ModelDim, nameof(output), $"cache.Batch × length × ModelDim = {batch} × {length} × {ModelDim}");
                if (global::System.MemoryExtensions.Overlaps(output, input, out int shift) && shift != 0) throw new global::System.ArgumentException("output may be input itself but must not partially overlap it.", nameof(output));
                """);
            prefillBody(w);
        }

        w.Line();
        w.Lines("""
            /// <summary>
            /// Decodes one new token per sequence: attends to every cached position plus itself, stores its keys and values and
            /// advances <paramref name="cache"/>. Equal, up to summation order, to the last row of a causal <c>Forward</c> over the prefix.
            /// </summary>
            """);
        LayerMembers.Params(w, ("tokens", "One token per sequence, <c>[cache.Batch, ModelDim]</c>."), ("output", "Receives <c>[cache.Batch, ModelDim]</c>; may be <paramref name=\"tokens\"/> itself."), ("cache", "A cache from <see cref=\"CreateKvCache(int, int)\"/> with room for one more position."));
        w.Line("/// <exception cref=\"global::System.ArgumentException\">A size does not match, or the cache is full or of another shape.</exception>");
        w.Line(GeneratedCode.Attribute);
        w.Line("public void Forward(global::System.ReadOnlySpan<float> tokens, global::System.Span<float> output, global::Attend.KvCache cache) => Prefill(tokens, output, 1, cache);");

        // The two CreateKvCache overloads differ only in their summary and the optional precision.
        void CreateKvCache(string summary, string remarks, string extraParameter, string extraArgument)
        {
            w.Line("/// <summary>");
            w.Line(summary);
            w.Lines(remarks);
            w.GeneratedMember($"public global::Attend.KvCache CreateKvCache(int batch, int capacity{extraParameter}) => new global::Attend.KvCache({layers}, batch, {kvHeads}, DimHead, capacity{extraArgument});");
            w.Line();
        }
    }
}
