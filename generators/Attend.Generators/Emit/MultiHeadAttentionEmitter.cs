namespace Attend.Generators.Emit;

/// <summary>
/// Writes a <c>[MultiHeadAttention]</c> class: its constants, a <c>MultiHeadAttentionShape</c> struct holding them for the runtime core, and
/// public members that delegate in one line each to <c>MultiHeadAttentionCore&lt;MultiHeadAttentionShape, THeadKernels&gt;</c>, so a layer's
/// file stays a few dozen lines and the shape-independent body exists once, in Attend.dll.
/// </summary>
internal static class MultiHeadAttentionEmitter
{
    /// <summary>Grouped-query declarations get a public <c>KvHeads</c> constant and a remark saying how heads are shared.</summary>
    private static bool Grouped(MultiHeadAttentionSpec spec) => spec.KvHeads != spec.Heads;

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
        return TypeShellEmitter.Emit(
            spec.Identity,
            $"Multi-head attention, E = {spec.ModelDim}, {spec.Heads} heads of {spec.DimHead}, as <c>torch.nn.MultiheadAttention(batch_first=True)</c>.",
            Remarks(layer),
            w =>
            {
                EmitConstants(w, spec);
                EmitShape(w, spec);
                LayerSurfaceEmitter.Emit(w, spec.Identity.Type.Name, "layer", $"Most threads one {ForwardReference(layer.KvCache)} uses; 1 runs on the caller's thread. Results are identical whatever the value.", spec.WeightPrecision);
                EmitMembers(w, spec, layer.Shape, layer.KvCache);
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
        remarks.Add("The forward pass, loading" + (layer.KvCache ? " and decoding" : "") + " are global::Attend.Kernels.MultiHeadAttentionCore, instantiated over this class's MultiHeadAttentionShape struct: compiled for this layer with every constant above folded.");
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
        if (Grouped(spec))
        {
            LayerMembers.Constant(w, "Number of key/value heads; query head h reads key/value head h / (Heads / KvHeads).", "KvHeads", $"{spec.KvHeads}");
        }

        if (spec.Window > 0)
        {
            LayerMembers.Constant(w, "Sliding attention window: query i sees keys j with i − Window &lt; j (and j &lt; i + Window without a causal mask).", "Window", $"{spec.Window}");
        }
    }

    /// <summary>
    /// The declaration's constants as the struct the runtime core is instantiated over: generic code over a struct is
    /// compiled per struct, so the JIT folds every one of these into the layer's own machine code.
    /// </summary>
    private static void EmitShape(SourceWriter w, MultiHeadAttentionSpec spec)
    {
        w.Line("// This declaration's constants, as the type the shared runtime core is specialized over (the JIT folds each one).");
        using (w.Block("private struct MultiHeadAttentionShape : global::Attend.Kernels.IMultiHeadAttentionShape"))
        {
            w.Line($"public static int ModelDim => {spec.ModelDim};");
            w.Line($"public static int Heads => {spec.Heads};");
            w.Line($"public static int KvHeads => {spec.KvHeads};");
            w.Line($"public static int DimHead => {spec.DimHead};");
            w.Line($"public static int KeyDim => {spec.KeyDim};");
            w.Line($"public static int ValueDim => {spec.ValueDim};");
            w.Line($"public static float Scale => {Literals.Float(spec.Scale)};");
            w.Line($"public static bool Causal => {Bool(spec.Causal)};");
            w.Line($"public static int Window => {spec.Window};");
            w.Line($"public static bool Bias => {Bool(spec.Bias)};");
            w.Line($"public static bool RequiresKeyPadding => {Bool(spec.KeyPadding)};");
            w.Line($"public static bool CompactWeights => {Bool(spec.WeightPrecision is not null)};");
        }

        w.Line();
        w.Lines("""
            // The weights in use. LoadWeights packs a whole new set, then publishes it with one reference write, so a
            // Forward running meanwhile computes with the old set or the new one, never a mix of the two.
            private global::Attend.Kernels.MultiHeadAttentionWeights<MultiHeadAttentionShape> _weights = new global::Attend.Kernels.MultiHeadAttentionWeights<MultiHeadAttentionShape>();
            """);
        w.Line();
    }

    private static string Bool(bool value) => value ? "true" : "false";

    /// <summary>The runtime core this layer delegates to, over its shape and its head shape's shared kernels.</summary>
    private static string Core(HeadShape shape) => $"global::Attend.Kernels.MultiHeadAttentionCore<MultiHeadAttentionShape, {HeadKernelsEmitter.TypeName(shape)}>";

    /// <summary>Documentation inherited from the runtime member the generated one delegates to.</summary>
    private static void InheritDoc(SourceWriter w, string member) =>
        w.Line($"/// <inheritdoc cref=\"global::Attend.Kernels.MultiHeadAttentionCore{{TShape, THeadKernels}}.{member}\"/>");

    private static void EmitMembers(SourceWriter w, MultiHeadAttentionSpec spec, HeadShape shape, bool kvCache)
    {
        string core = Core(shape);
        InheritDoc(w, "LoadWeights");
        w.GeneratedMember($"public void LoadWeights(global::Attend.IWeightSource source, string prefix = \"\") => {core}.LoadWeights(ref _weights, source, prefix{(spec.WeightPrecision is null ? "" : ", WeightPrecision")});");
        w.Line();
        InheritDoc(w, "Forward");
        w.GeneratedMember($"public void Forward(global::System.ReadOnlySpan<float> query, global::System.Span<float> output, int batch, int queryLength, global::System.ReadOnlySpan<float> key = default, global::System.ReadOnlySpan<float> value = default, int keyLength = 0, global::System.ReadOnlySpan<bool> keyPaddingMask = default, global::System.Span<float> attentionWeights = default) => {core}.Forward(ref _weights, Path, MaxDegreeOfParallelism, query, output, batch, queryLength, key, value, keyLength, keyPaddingMask, attentionWeights);");
        if (!kvCache) return;

        w.Line();
        InheritDoc(w, "CreateKvCache(int, int)");
        w.GeneratedMember($"public global::Attend.KvCache CreateKvCache(int batch, int capacity) => {core}.CreateKvCache(batch, capacity);");
        w.Line();
        InheritDoc(w, "CreateKvCache(int, int, global::Attend.KvCachePrecision)");
        w.GeneratedMember($"public global::Attend.KvCache CreateKvCache(int batch, int capacity, global::Attend.KvCachePrecision precision) => {core}.CreateKvCache(batch, capacity, precision);");
        w.Line();
        InheritDoc(w, "Prefill");
        w.GeneratedMember($"public void Prefill(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int length, global::Attend.KvCache cache) => {core}.Prefill(ref _weights, Path, MaxDegreeOfParallelism, input, output, length, cache);");
        w.Line();
        InheritDoc(w, "Decode");
        w.GeneratedMember($"public void Forward(global::System.ReadOnlySpan<float> tokens, global::System.Span<float> output, global::Attend.KvCache cache) => {core}.Decode(ref _weights, Path, MaxDegreeOfParallelism, tokens, output, cache);");
    }
}
