namespace Attend.Generators.Emit;

/// <summary>Writes a <c>[MultiHeadAttention]</c> class: constants, weights, <c>LoadWeights</c>, <c>Forward</c> and its head kernels.</summary>
internal static class MultiHeadAttentionEmitter
{
    /// <summary>Grouped-query declarations name the key/value widths apart from the query's; others keep the PyTorch-shaped text.</summary>
    internal static bool Grouped(MultiHeadAttentionSpec spec) => spec.KvHeads != spec.Heads;

    internal static string QkvWidth(MultiHeadAttentionSpec spec) => Grouped(spec) ? "QkvWidth" : "3 * InnerDim";

    internal static string KvInner(MultiHeadAttentionSpec spec) => Grouped(spec) ? "KvInnerDim" : "InnerDim";

    /// <summary>
    /// A doc reference to the main <c>Forward</c>: with a KV cache there is a one-token overload too, and a bare
    /// <c>cref="Forward"/</c> would be ambiguous (CS0419 in projects that check their docs).
    /// </summary>
    private static string ForwardReference(bool kvCache) =>
        kvCache
            ? "<see cref=\"Forward(global::System.ReadOnlySpan{float}, global::System.Span{float}, int, int, global::System.ReadOnlySpan{float}, global::System.ReadOnlySpan{float}, int, global::System.ReadOnlySpan{bool}, global::System.Span{float})\">Forward</see>"
            : "<see cref=\"Forward\"/>";

    public static string Emit(MultiHeadAttentionPlan layer)
    {
        MultiHeadAttentionSpec spec = layer.Spec;
        bool packedDims = layer.PackedProjections;
        return TypeShellEmitter.Emit(
            spec.Identity,
            $"Multi-head attention, E = {spec.ModelDim}, {spec.Heads} heads of {spec.DimHead}, as <c>torch.nn.MultiheadAttention(batch_first=True)</c>.",
            Remarks(layer),
            w =>
            {
                EmitConstants(w, spec);
                EmitFields(w, spec, packedDims, layer.KvCache);
                EmitLoadWeights(w, spec, packedDims, layer.KvCache);
                EmitForward(w, spec, packedDims, layer.Shape);
                if (layer.KvCache) MultiHeadAttentionCacheEmitter.Emit(w, spec, layer.Shape);
            });
    }

    private static string[] Remarks(MultiHeadAttentionPlan layer)
    {
        MultiHeadAttentionSpec spec = layer.Spec;
        bool packedDims = layer.PackedProjections;
        var remarks = new List<string>
        {
            $"Specialized at compile time: ModelDim = {spec.ModelDim}, Heads = {spec.Heads}, DimHead = {spec.DimHead}" +
            (packedDims ? "" : $", KeyDim = {spec.KeyDim}, ValueDim = {spec.ValueDim}") +
            $", scale = {Literals.Float(spec.Scale)}{(spec.ScaleIsDefault ? " (1/sqrt(DimHead))" : "")}, bias {(spec.Bias ? "on" : "off")}.",
            packedDims
                ? "Self-attention projects Q, K and V in one pass over the input with the packed in_proj_weight; cross-attention projects query, key and value separately."
                : "KeyDim or ValueDim differ from ModelDim, so the projections are separate (q_proj_weight, k_proj_weight, v_proj_weight, as PyTorch names them).",
            spec.Causal
                ? "Causal: query i sees keys 0..i; the score kernel never visits keys above the diagonal." +
                  (layer.KvCache ? " A global::Attend.KvCache (CreateKvCache, Prefill, one-token Forward) makes decoding cost one query row per step." : "")
                : "No causal mask.",
            spec.KeyPadding
                ? "Key padding: Forward requires keyPaddingMask [batch, keyLength], true = padded."
                : "keyPaddingMask is optional (true = padded).",
        };
        if (Grouped(spec)) remarks.Add(spec.KvHeads == 1 ? "Multi-query attention: every query head reads the one key/value head." : $"Grouped-query attention: {spec.KvHeads} key/value heads, query head h reads key/value head h / {spec.Heads / spec.KvHeads}.");
        if (spec.Window > 0) remarks.Add($"Sliding window of {spec.Window}: keys outside it are never scored.");
        foreach (VectorPathPlan path in layer.Kernels.VectorPaths)
        {
            remarks.Add($"{path.Path}: the query row is {Describe(path.Query)}{(path.QueryInRegisters ? ", held in registers across keys" : "")}; the value row is {Describe(path.Value)}.");
        }

        if (spec.WeightPrecision is int precision)
        {
            remarks.Add($"Projection weights stored as global::Attend.Kernels.PackedProjection, {Model.BlockOptions.WeightPrecisionNames[precision]} unless the WeightPrecision property is changed before LoadWeights; activations, scores and the KV cache stay float32.");
        }

        remarks.Add("A query row whose keys are all masked yields zeros (PyTorch yields NaN there).");
        remarks.Add(HeadKernelsEmitter.SharedRemark(layer.Shape));
        return remarks.ToArray();
    }

    private static string Describe(EquatableArray<RowSegment> segments)
    {
        int registers = 0, scalars = 0, width = 0;
        foreach (RowSegment segment in segments)
        {
            if (segment.Width == 1) scalars++;
            else registers++;
            width = System.Math.Max(width, segment.Width);
        }

        string text = registers == 0 ? "" : $"{registers} register{(registers == 1 ? "" : "s")}";
        if (scalars > 0) text += (text.Length > 0 ? " + " : "") + $"{scalars} scalar{(scalars == 1 ? "" : "s")}";
        return text + (scalars == 0 ? " (no remainder)" : "");
    }

    private static void EmitConstants(SourceWriter w, MultiHeadAttentionSpec spec)
    {
        LayerMembers.Constant(w, "Model width E (<c>embed_dim</c>): the feature size of queries and outputs.", "ModelDim", $"{spec.ModelDim}");
        LayerMembers.Constant(w, "Number of attention heads (<c>num_heads</c>).", "Heads", $"{spec.Heads}");
        LayerMembers.Constant(w, "Width of one head.", "DimHead", $"{spec.DimHead}");
        w.Line($"private const int KeyDim = {spec.KeyDim};");
        w.Line($"private const int ValueDim = {spec.ValueDim};");
        if (Grouped(spec))
        {
            LayerMembers.Constant(w, "Number of key/value heads; query head h reads key/value head h / (Heads / KvHeads).", "KvHeads", $"{spec.KvHeads}");
        }

        if (spec.Window > 0)
        {
            LayerMembers.Constant(w, "Sliding attention window: query i sees keys j with i − Window &lt; j (and j &lt; i + Window without a causal mask).", "Window", $"{spec.Window}");
        }

        w.Line("private const int InnerDim = Heads * DimHead;");
        if (Grouped(spec))
        {
            w.Line("private const int KvInnerDim = KvHeads * DimHead;");
            w.Line("private const int QkvWidth = InnerDim + 2 * KvInnerDim;");
        }

        w.Line($"private const float ScoreScale = {Literals.Float(spec.Scale)};");
        w.Line($"private const bool RequiresKeyPadding = {(spec.KeyPadding ? "true" : "false")};");
        w.Line();
    }

    private static void EmitFields(SourceWriter w, MultiHeadAttentionSpec spec, bool packedDims, bool kvCache)
    {
        w.Lines("""
            // The weights in use. LoadWeights packs a whole new set, then publishes it with one reference write, so a
            // Forward running meanwhile computes with the old set or the new one, never a mix of the two.
            private PackedWeights _weights = new PackedWeights();
            """);
        w.Line();
        w.Line("// Weights packed once, at load time, into the panel layout the projection kernel streams; never written once published.");
        using (w.Block("private sealed class PackedWeights"))
        {
            if (packedDims) ProjectionField(w, spec, "QkvWeight", "ModelDim", QkvWidth(spec));
            ProjectionField(w, spec, "QueryWeight", "ModelDim", "InnerDim");
            ProjectionField(w, spec, "KeyWeight", "KeyDim", KvInner(spec));
            ProjectionField(w, spec, "ValueWeight", "ValueDim", KvInner(spec));
            ProjectionField(w, spec, "OutputWeight", "InnerDim", "ModelDim");
            if (spec.Bias)
            {
                w.Line($"public readonly float[] InputBias = new float[{QkvWidth(spec)}];");
                w.Line("public readonly float[] OutputBias = new float[ModelDim];");
            }
        }

        w.Line();
        LayerSurfaceEmitter.Emit(w, spec.Identity.Type.Name, "layer", $"Most threads one {ForwardReference(kvCache)} uses; 1 runs on the caller's thread. Results are identical whatever the value.", spec.WeightPrecision);
    }

    /// <summary>
    /// One projection's packed weight: plain float panels when the declaration names no <c>WeightPrecision</c> (the text
    /// every such layer had before), a <c>PackedProjection</c> otherwise. <c>ProjectionDriver.Forward</c> has an overload
    /// for each with the same arguments, so the forward passes read the same either way.
    /// </summary>
    private static void ProjectionField(SourceWriter w, MultiHeadAttentionSpec spec, string name, string inFeatures, string outFeatures) =>
        w.Line(spec.WeightPrecision is null
            ? $"public readonly float[] {name} = new float[global::Attend.Kernels.LinearKernels.PackedLength({inFeatures}, {outFeatures})];"
            : $"public readonly global::Attend.Kernels.PackedProjection {name} = new({inFeatures}, {outFeatures});");

    /// <summary>Packs <paramref name="weight"/> into <c>next.</c><paramref name="name"/>, in the layer's chosen precision when it has one.</summary>
    private static void PackProjection(SourceWriter w, MultiHeadAttentionSpec spec, string name, string weight, string inFeatures, string outFeatures) =>
        w.Line(spec.WeightPrecision is null
            ? $"global::Attend.Kernels.LinearKernels.Pack({weight}, {inFeatures}, {outFeatures}, next.{name});"
            : $"next.{name}.Pack({weight}, precision);");

    private static void EmitLoadWeights(SourceWriter w, MultiHeadAttentionSpec spec, bool packedDims, bool kvCache)
    {
        w.Line("/// <summary>");
        w.Line("/// Loads weights saved from <c>torch.nn.MultiheadAttention</c>'s <c>state_dict</c>, under PyTorch's names:");
        string qkvText = Grouped(spec) ? "InnerDim + 2·KvInnerDim" : "3·InnerDim";
        string kvText = KvInner(spec);
        w.Line(packedDims
            ? $"/// <c>in_proj_weight</c> [{qkvText}, ModelDim]" + (spec.Bias ? $", <c>in_proj_bias</c> [{qkvText}], <c>out_proj.weight</c> [ModelDim, InnerDim], <c>out_proj.bias</c> [ModelDim]." : ", <c>out_proj.weight</c> [ModelDim, InnerDim].")
            : $"/// <c>q_proj_weight</c> [InnerDim, ModelDim], <c>k_proj_weight</c> [{kvText}, KeyDim], <c>v_proj_weight</c> [{kvText}, ValueDim]" + (spec.Bias ? $", <c>in_proj_bias</c> [{qkvText}], <c>out_proj.weight</c> [ModelDim, InnerDim], <c>out_proj.bias</c> [ModelDim]." : ", <c>out_proj.weight</c> [ModelDim, InnerDim]."));
        w.Line("/// Every tensor is read and checked before any is applied, so a failed load leaves the layer unchanged.");
        w.Line($"/// Safe while {ForwardReference(kvCache)} runs on other threads: the new weights replace the old all at once when packed,");
        w.Line("/// and a forward pass already running finishes with the weights it started with.");
        w.Line("/// </summary>");
        using (LayerMembers.OpenLoadWeights(w, "The tensors, e.g. <c>SafeTensors.Open(\"model.safetensors\")</c>; tensors it holds beyond these are ignored.", "Prepended to every name, e.g. <c>\"layers.0.self_attn.\"</c>."))
        {
            if (packedDims)
            {
                w.Line($"float[] inProjWeight = global::Attend.Kernels.WeightLoading.Read(source, prefix, \"in_proj_weight\", {QkvWidth(spec)}, ModelDim);");
                w.Line("global::System.ReadOnlySpan<float> queryWeight = global::System.MemoryExtensions.AsSpan(inProjWeight, 0, InnerDim * ModelDim);");
                w.Line($"global::System.ReadOnlySpan<float> keyWeight = global::System.MemoryExtensions.AsSpan(inProjWeight, InnerDim * ModelDim, {KvInner(spec)} * ModelDim);");
                w.Line(Grouped(spec)
                    ? "global::System.ReadOnlySpan<float> valueWeight = global::System.MemoryExtensions.AsSpan(inProjWeight, (InnerDim + KvInnerDim) * ModelDim, KvInnerDim * ModelDim);"
                    : "global::System.ReadOnlySpan<float> valueWeight = global::System.MemoryExtensions.AsSpan(inProjWeight, 2 * InnerDim * ModelDim, InnerDim * ModelDim);");
            }
            else
            {
                w.Line("float[] queryWeight = global::Attend.Kernels.WeightLoading.Read(source, prefix, \"q_proj_weight\", InnerDim, ModelDim);");
                w.Line($"float[] keyWeight = global::Attend.Kernels.WeightLoading.Read(source, prefix, \"k_proj_weight\", {KvInner(spec)}, KeyDim);");
                w.Line($"float[] valueWeight = global::Attend.Kernels.WeightLoading.Read(source, prefix, \"v_proj_weight\", {KvInner(spec)}, ValueDim);");
            }

            if (spec.Bias) w.Line($"float[] inProjBias = global::Attend.Kernels.WeightLoading.Read(source, prefix, \"in_proj_bias\", {QkvWidth(spec)});");
            w.Line("float[] outProjWeight = global::Attend.Kernels.WeightLoading.Read(source, prefix, \"out_proj.weight\", ModelDim, InnerDim);");
            if (spec.Bias) w.Line("float[] outProjBias = global::Attend.Kernels.WeightLoading.Read(source, prefix, \"out_proj.bias\", ModelDim);");
            w.Line();
            if (spec.WeightPrecision is not null) w.Line("global::Attend.WeightPrecision precision = WeightPrecision; // read once: every projection of this load in one precision");
            w.Line("var next = new PackedWeights();");
            if (packedDims) PackProjection(w, spec, "QkvWeight", "inProjWeight", "ModelDim", QkvWidth(spec));
            PackProjection(w, spec, "QueryWeight", "queryWeight", "ModelDim", "InnerDim");
            PackProjection(w, spec, "KeyWeight", "keyWeight", "KeyDim", KvInner(spec));
            PackProjection(w, spec, "ValueWeight", "valueWeight", "ValueDim", KvInner(spec));
            PackProjection(w, spec, "OutputWeight", "outProjWeight", "InnerDim", "ModelDim");
            if (spec.Bias)
            {
                w.Line("inProjBias.CopyTo(next.InputBias, 0);");
                w.Line("outProjBias.CopyTo(next.OutputBias, 0);");
            }

            w.Line("global::System.Threading.Volatile.Write(ref _weights, next);");
        }

        w.Line();
    }

    private static void EmitForward(SourceWriter w, MultiHeadAttentionSpec spec, bool packedDims, HeadShape shape)
    {
        string bias = spec.Bias ? "global::System.MemoryExtensions.AsSpan(weights.InputBias, {0}, InnerDim)" : "default";
        string kvBias = spec.Bias ? "global::System.MemoryExtensions.AsSpan(weights.InputBias, {0}, " + KvInner(spec) + ")" : "default";
        string kv = KvInner(spec);
        string fusedBias = spec.Bias ? "weights.InputBias" : "default";
        string outputBias = spec.Bias ? "weights.OutputBias" : "default";

        w.Lines("""
            /// <summary>
            /// Runs attention: <c>output = softmax(scale · Q Kᵀ + mask) V</c> per head, projected in and out,
            /// with Q, K, V the projections of <paramref name="query"/>, <paramref name="key"/> and <paramref name="value"/>.
            /// Allocates nothing once warm and may be called from many threads at once.
            /// </summary>
            """);
        LayerMembers.Params(w, ("query", "Queries <c>[batch, queryLength, ModelDim]</c>, row-major."), ("output", "Receives <c>[batch, queryLength, ModelDim]</c>."), ("batch", "Number of sequences."), ("queryLength", "Rows per sequence of <paramref name=\"query\"/>."), ("key", "Keys <c>[batch, keyLength, KeyDim]</c>; empty for self-attention (key = value = query)."), ("value", "Values <c>[batch, keyLength, ValueDim]</c>; empty means value = key."), ("keyLength", "Rows per sequence of <paramref name=\"key\"/>; 0 with self-attention."), ("keyPaddingMask", "<c>[batch, keyLength]</c>, true = padded key (PyTorch's polarity)" + (spec.KeyPadding ? "; required by this declaration." : "; optional.")), ("attentionWeights", "Optional; receives per-head probabilities <c>[batch, Heads, queryLength, keyLength]</c>."));
        using (LayerMembers.OpenChecked(w, "public void Forward(global::System.ReadOnlySpan<float> query, global::System.Span<float> output, int batch, int queryLength, global::System.ReadOnlySpan<float> key = default, global::System.ReadOnlySpan<float> value = default, int keyLength = 0, global::System.ReadOnlySpan<bool> keyPaddingMask = default, global::System.Span<float> attentionWeights = default)", "A length or size does not match; the message names the argument and the size expected."))
        {
            w.Lines("""
                global::Attend.Kernels.ArgumentChecks.Positive(batch, nameof(batch));
                global::Attend.Kernels.ArgumentChecks.Positive(queryLength, nameof(queryLength));
                bool selfAttention = key.IsEmpty;
                """);
            using (w.Block("if (selfAttention)"))
            {
                w.Line("if (!value.IsEmpty) throw new global::System.ArgumentException(\"value was given without key; pass key as well, or neither for self-attention.\", nameof(value));");
                w.Line("if (keyLength != 0 && keyLength != queryLength) throw new global::System.ArgumentException($\"keyLength must be 0 or queryLength ({queryLength}) when key is empty (self-attention); it was {keyLength}.\", nameof(keyLength));");
                if (!packedDims) w.Line("throw new global::System.ArgumentException($\"key is required: KeyDim ({KeyDim}) and ValueDim ({ValueDim}) differ from ModelDim ({ModelDim}), so the query cannot serve as key and value.\", nameof(key));");
                else w.Line("keyLength = queryLength;");
            }

            using (w.Block("else"))
            {
                w.Line("global::Attend.Kernels.ArgumentChecks.Positive(keyLength, nameof(keyLength));");
                w.Line("if (key.Length != (long)batch * keyLength * KeyDim) global::Attend.Kernels.ArgumentChecks.Length(key.Length, (long)batch * keyLength * KeyDim, nameof(key), $\"batch × keyLength × KeyDim = {batch} × {keyLength} × {KeyDim}\");");
                if (spec.KeyDim != spec.ValueDim)
                {
                    w.Line("if (value.IsEmpty) throw new global::System.ArgumentException($\"value is required: ValueDim ({ValueDim}) differs from KeyDim ({KeyDim}), so the key cannot serve as value.\", nameof(value));");
                }

                w.Line("if (!value.IsEmpty && value.Length != (long)batch * keyLength * ValueDim) global::Attend.Kernels.ArgumentChecks.Length(value.Length, (long)batch * keyLength * ValueDim, nameof(value), $\"batch × keyLength × ValueDim = {batch} × {keyLength} × {ValueDim}\");");
            }

            w.Line();
            w.Lines("""
                if (query.Length != (long)batch * queryLength * ModelDim) global::Attend.Kernels.ArgumentChecks.Length(query.Length, (long)batch * queryLength * ModelDim, nameof(query), $"batch × queryLength × ModelDim = {batch} × {queryLength} × {ModelDim}");
                if (output.Length != (long)batch * queryLength * ModelDim) global::Attend.Kernels.ArgumentChecks.Length(output.Length, (long)batch * queryLength * ModelDim, nameof(output), $"batch × queryLength × ModelDim = {batch} × {queryLength} × {ModelDim}");
                if (RequiresKeyPadding && keyPaddingMask.IsEmpty) throw new global::System.ArgumentException($"keyPaddingMask is required by this layer's Mask = KeyPadding: pass [batch, keyLength] = {batch} × {keyLength} flags, true = padded.", nameof(keyPaddingMask));
                if (!keyPaddingMask.IsEmpty && keyPaddingMask.Length != (long)batch * keyLength) global::Attend.Kernels.ArgumentChecks.Length(keyPaddingMask.Length, (long)batch * keyLength, nameof(keyPaddingMask), $"batch × keyLength = {batch} × {keyLength}");
                if (!attentionWeights.IsEmpty && attentionWeights.Length != (long)batch * Heads * queryLength * keyLength) global::Attend.Kernels.ArgumentChecks.Length(attentionWeights.Length, (long)batch * Heads * queryLength * keyLength, nameof(attentionWeights), $"batch × Heads × queryLength × keyLength = {batch} × {Heads} × {queryLength} × {keyLength}");
                """);
            w.Line();
            w.Lines("""
                PackedWeights weights = global::System.Threading.Volatile.Read(ref _weights); // one set for the whole pass
                global::Attend.KernelPath path = global::Attend.Kernels.KernelPaths.Resolve(Path);
                int threads = MaxDegreeOfParallelism;
                int queryRows = batch * queryLength; // fits: query.Length was checked above
                int keyRows = batch * keyLength;
                """);
            w.Line(Grouped(spec)
                ? "long scratchLength = selfAttention ? (long)queryRows * (QkvWidth + InnerDim) : 2L * queryRows * InnerDim + 2L * keyRows * KvInnerDim;"
                : "long scratchLength = (selfAttention ? 4L * queryRows : 2L * (queryRows + keyRows)) * InnerDim;");
            w.Line("if (scratchLength > global::System.Array.MaxLength) throw new global::System.ArgumentException($\"batch × (queryLength + keyLength) is too large: the projected Q, K, V need {scratchLength} floats, more than one array holds; split the batch.\", nameof(batch));");
            w.Line(Grouped(spec)
                ? "int projectedLength = selfAttention ? queryRows * QkvWidth : queryRows * InnerDim + 2 * keyRows * KvInnerDim;"
                : "int projectedLength = selfAttention ? queryRows * 3 * InnerDim : (queryRows + 2 * keyRows) * InnerDim;");
            w.Lines("""
                // This thread's reusable buffer: a warm Forward allocates nothing; other threads' calls have their own.
                float[] scratch = global::Attend.Kernels.LayerScratch.Rent((int)scratchLength);
                global::System.Span<float> context = global::System.MemoryExtensions.AsSpan(scratch, projectedLength, queryRows * InnerDim);
                global::System.ReadOnlySpan<float> q, k, v;
                int queryRowStride, keyRowStride;
                """);
            using (w.Block("if (selfAttention)"))
            {
                if (packedDims)
                {
                    w.Line("// One pass over the input yields Q | K | V side by side in each row.");
                    w.Line("global::System.Span<float> qkv = global::System.MemoryExtensions.AsSpan(scratch, 0, projectedLength);");
                    w.Line($"global::Attend.Kernels.ProjectionDriver.Forward(path, query, queryRows, ModelDim, weights.QkvWeight, {fusedBias}, ModelDim, {QkvWidth(spec)}, qkv, {QkvWidth(spec)}, threads);");
                    w.Line("q = qkv;");
                    w.Line("k = qkv.Slice(InnerDim);");
                    w.Line(Grouped(spec) ? "v = qkv.Slice(InnerDim + KvInnerDim);" : "v = qkv.Slice(2 * InnerDim);");
                    w.Line($"queryRowStride = keyRowStride = {QkvWidth(spec)};");
                }
                else
                {
                    w.Line("throw new global::System.InvalidOperationException(\"Unreachable: self-attention needs KeyDim = ValueDim = ModelDim, checked above.\");");
                }
            }

            using (w.Block("else"))
            {
                w.Line("global::System.Span<float> projectedQuery = global::System.MemoryExtensions.AsSpan(scratch, 0, queryRows * InnerDim);");
                w.Line($"global::System.Span<float> projectedKey = global::System.MemoryExtensions.AsSpan(scratch, queryRows * InnerDim, keyRows * {kv});");
                w.Line(Grouped(spec)
                    ? "global::System.Span<float> projectedValue = global::System.MemoryExtensions.AsSpan(scratch, queryRows * InnerDim + keyRows * KvInnerDim, keyRows * KvInnerDim);"
                    : "global::System.Span<float> projectedValue = global::System.MemoryExtensions.AsSpan(scratch, (queryRows + keyRows) * InnerDim, keyRows * InnerDim);");
                w.Line($"global::Attend.Kernels.ProjectionDriver.Forward(path, query, queryRows, ModelDim, weights.QueryWeight, {string.Format(bias, "0")}, ModelDim, InnerDim, projectedQuery, InnerDim, threads);");
                w.Line($"global::Attend.Kernels.ProjectionDriver.Forward(path, key, keyRows, KeyDim, weights.KeyWeight, {string.Format(kvBias, "InnerDim")}, KeyDim, {kv}, projectedKey, {kv}, threads);");
                w.Line($"global::Attend.Kernels.ProjectionDriver.Forward(path, value.IsEmpty ? key : value, keyRows, ValueDim, weights.ValueWeight, {string.Format(kvBias, Grouped(spec) ? "InnerDim + KvInnerDim" : "2 * InnerDim")}, ValueDim, {kv}, projectedValue, {kv}, threads);");
                w.Lines("""
                    q = projectedQuery;
                    k = projectedKey;
                    v = projectedValue;
                    """);
                if (Grouped(spec))
                {
                    w.Line("queryRowStride = InnerDim;");
                    w.Line("keyRowStride = KvInnerDim;");
                }
                else
                {
                    w.Line("queryRowStride = keyRowStride = InnerDim;");
                }
            }

            w.Line();
            w.Line("// Head h of row i sits at i · rowStride + h · DimHead: the driver reads heads in place, no transpose.");
            AttentionCallEmitter.Emit(w, shape, new AttentionCall(
                "batch", "Heads", Grouped(spec) ? "KvHeads" : "Heads", "queryLength", "keyLength",
                new StridedView("q", "queryLength * queryRowStride", "DimHead", "queryRowStride"),
                new StridedView("k", "keyLength * keyRowStride", "DimHead", "keyRowStride"),
                new StridedView("v", "keyLength * keyRowStride", "DimHead", "keyRowStride"),
                new StridedView("context", "queryLength * InnerDim", "DimHead", "InnerDim"),
                "ScoreScale", spec.Causal ? "true" : "false", "keyPaddingMask", "attentionWeights")
            {
                Extra = spec.Window > 0 ? new[] { "Window = Window" } : System.Array.Empty<string>(),
            });
            w.Line($"global::Attend.Kernels.ProjectionDriver.Forward(path, context, queryRows, InnerDim, weights.OutputWeight, {outputBias}, InnerDim, ModelDim, output, ModelDim, threads);");
        }

        w.Line();
    }
}
