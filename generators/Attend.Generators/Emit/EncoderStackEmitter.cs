namespace Attend.Generators.Emit;

/// <summary>
/// Writes the members of a stack of encoder layers into a block's class: the shape constants, a weights class per
/// layer (read and packed under the naming's <c>state_dict</c> names), the <c>Pass</c> that carries one forward
/// pass's sizes and scratch, the attention and feed-forward sublayers, and <c>RunEncoderStack</c> over all layers.
/// <c>[TransformerEncoder]</c> and <c>[VisionTransformer]</c> wrap these members with their own public surface.
/// </summary>
internal static class EncoderStackEmitter
{
    public const string LayerClass = "EncoderLayerWeights";
    public const string StackClass = "EncoderStackWeights";

    public static bool Rotary(EncoderStackSpec s) => s.Positions is BlockOptions.PositionsRotaryHalf or BlockOptions.PositionsRotaryInterleaved;

    public static bool ScoreBias(EncoderStackSpec s) => s.Positions is BlockOptions.PositionsAlibi or BlockOptions.PositionsRelative1D or BlockOptions.PositionsRelative2D;

    public static bool LearnedPositions(EncoderStackSpec s) => s.Positions == BlockOptions.PositionsLearned;

    /// <summary>One line per choice baked into the stack, for the class's remarks.</summary>
    public static List<string> Remarks(EncoderStackSpec s, HeadKernelPlan plan, EncoderStackNames names)
    {
        string naming = BlockOptions.NamingDisplay(s.Naming);
        var remarks = new List<string>
        {
            $"Specialized at compile time: ModelDim = {s.ModelDim}, Depth = {s.Depth}, Heads = {s.Heads}" + (s.KvHeads != s.Heads ? $", KvHeads = {s.KvHeads}" : "") +
            $", DimHead = {s.DimHead}, MlpDim = {s.MlpDim}, scale = {Literals.Float(s.Scale)} (1/sqrt(DimHead)), ε = {Literals.Float(s.Epsilon)}.",
            s.PreNorm
                ? "Pre-norm: each sublayer reads norm(x) and adds its result to x (norm_first=True)."
                : "Post-norm: x = norm(x + sublayer(x)), the residual sum and the layer norm fused in one pass (norm_first=False).",
            $"Feed-forward: Linear → {ActivationText(s.Activation)} → Linear.",
            $"Weights load under the {naming} names: " + NamingText(s, names),
            s.KvHeads == s.Heads ? "Every query head has its own key/value head." : s.KvHeads == 1 ? "Multi-query attention: every query head reads the one key/value head." : $"Grouped-query attention: query head h reads key/value head h / {s.Heads / s.KvHeads}.",
        };
        // A BERT model adds its positions with its embeddings and takes Hugging Face's mask, and says so itself.
        bool bert = s.Naming == BlockOptions.NamingBert;
        if (!bert) remarks.Add(PositionText(s));
        if (s.Causal) remarks.Add("Causal: query i sees keys 0..i; keys above the diagonal are never scored. A global::Attend.KvCache makes decoding one token per step cost one row per layer.");
        if (s.KeyPadding && !bert) remarks.Add("Key padding: Forward requires keyPaddingMask [batch, length], true = padded.");
        if (s.Window > 0) remarks.Add($"Sliding window of {s.Window}: query i sees keys j &gt; i − {s.Window}" + (s.Causal ? "" : $" and j &lt; i + {s.Window}") + "; keys outside the window are never scored.");
        if (s.FinalNorm) remarks.Add("A final layer norm follows the last layer.");
        foreach (VectorPathPlan path in plan.VectorPaths)
        {
            remarks.Add($"{path.Path}: a head row is {path.Query.Count} segment{(path.Query.Count == 1 ? "" : "s")}{(path.QueryInRegisters ? ", the query held in registers across keys" : "")}.");
        }

        remarks.Add("A query row whose keys are all masked yields zeros, never NaN.");
        remarks.Add(HeadKernelsEmitter.SharedRemark(plan.Shape));
        return remarks;
    }

    public static string ActivationText(int activation) => activation switch
    {
        BlockOptions.ActivationGelu => "GELU (exact, erf)",
        BlockOptions.ActivationGeluTanh => "GELU (tanh approximation)",
        _ => "ReLU",
    };

    private static string NamingText(EncoderStackSpec s, EncoderStackNames names)
    {
        EncoderLayerNames n = names.Layer;
        return $"<c>{names.LayerPrefix}{{i}}.{n.AttentionNorm}</c>, <c>{n.QkvWeight}</c>" + (n.QkvBias is null ? "" : $", <c>{n.QkvBias}</c>") +
            (s.HasOutputProjection ? $", <c>{n.Output}</c>" : "") + $", <c>{n.FeedForwardNorm}</c>, <c>{n.Hidden}</c>, <c>{n.Projection}</c>" +
            (names.FinalNorm is string final ? $"; <c>{final}</c>" : "") + ".";
    }

    private static string PositionText(EncoderStackSpec s) => s.Positions switch
    {
        BlockOptions.PositionsSinusoidal => "Positions: the sinusoidal table of \"Attention Is All You Need\" is added to the input.",
        BlockOptions.PositionsLearned => $"Positions: a learned table [MaxLength = {s.MaxLength}, ModelDim] is added to the input.",
        BlockOptions.PositionsRotaryHalf => $"Positions: rotary embedding of queries and keys, half-split pairs, {s.RotaryDim} of {s.DimHead} features, θ = {Literals.Float(s.RotaryBase)}.",
        BlockOptions.PositionsRotaryInterleaved => $"Positions: rotary embedding of queries and keys, interleaved pairs, {s.RotaryDim} of {s.DimHead} features, θ = {Literals.Float(s.RotaryBase)}.",
        BlockOptions.PositionsAlibi => "Positions: ALiBi, score (i, j) gets −m_h·|i − j| with geometric head slopes.",
        BlockOptions.PositionsRelative1D => $"Positions: a learned bias per head and offset i − j (|i − j| &lt; MaxLength = {s.MaxLength}) is added to the scores.",
        BlockOptions.PositionsRelative2D => $"Positions: a learned bias per head and 2-D offset on the {s.GridHeight} × {s.GridWidth} token grid is added to the scores.",
        _ => "Positions: none are added; the caller encodes them.",
    };

    public static void EmitConstants(SourceWriter w, EncoderStackSpec s)
    {
        LayerMembers.Constant(w, "Model width: the feature size of every token.", "ModelDim", $"{s.ModelDim}");
        LayerMembers.Constant(w, "Number of query heads.", "Heads", $"{s.Heads}");
        LayerMembers.Constant(w, "Number of key/value heads; query head h reads key/value head h / (Heads / KvHeads).", "KvHeads", $"{s.KvHeads}");
        LayerMembers.Constant(w, "Width of one head.", "DimHead", $"{s.DimHead}");
        LayerMembers.Constant(w, "Hidden width of the feed-forward network.", "MlpDim", $"{s.MlpDim}");
        LayerMembers.Constant(w, "Number of layers.", "Depth", $"{s.Depth}");
        if (s.Positions is BlockOptions.PositionsLearned or BlockOptions.PositionsRelative1D)
        {
            LayerMembers.Constant(w, "Longest sequence the position weights cover (a KV cache's positions included).", "MaxLength", $"{s.MaxLength}");
        }

        if (s.Positions == BlockOptions.PositionsRelative2D)
        {
            LayerMembers.Constant(w, "Rows of the token grid.", "GridHeight", $"{s.GridHeight}");
            LayerMembers.Constant(w, "Columns of the token grid.", "GridWidth", $"{s.GridWidth}");
        }

        if (s.Window > 0)
        {
            LayerMembers.Constant(w, "Sliding attention window: query i sees keys j with i − Window &lt; j.", "Window", $"{s.Window}");
        }

        w.Lines("""
            private const int InnerDim = Heads * DimHead;
            private const int KvInnerDim = KvHeads * DimHead;
            private const int QkvWidth = InnerDim + 2 * KvInnerDim;
            """);
        w.Line($"private const float LayerNormEpsilon = {Literals.Float(s.Epsilon)};");
        w.Line($"private const float ScoreScale = {Literals.Float(s.Scale)};");
        if (Rotary(s))
        {
            w.Line($"private const int RotaryDim = {s.RotaryDim};");
            w.Line($"private const float RotaryBase = {Literals.Float(s.RotaryBase)};");
        }

        if (s.Positions == BlockOptions.PositionsRelative1D) w.Line("private const int RelativeBiasRows = 2 * MaxLength - 1;");
        if (s.Positions == BlockOptions.PositionsRelative2D) w.Line("private const int RelativeBiasRows = (2 * GridHeight - 1) * (2 * GridWidth - 1);");
        w.Line();
    }

    /// <summary>The per-layer weights class and the stack's weights class (layers, final norm, learned positions).</summary>
    /// <param name="w">The writer.</param>
    /// <param name="s">The stack.</param>
    /// <param name="ownFields">Further fields of the stack class (a block's embeddings, say), or null.</param>
    /// <param name="ownReads">Their reads into <c>stack</c>, or null.</param>
    public static void EmitWeightClasses(SourceWriter w, EncoderStackSpec s, EncoderStackNames names, System.Action<SourceWriter>? ownFields = null, System.Action<SourceWriter>? ownReads = null)
    {
        EncoderLayerNames n = names.Layer;
        bool qkvBias = n.QkvBias is not null;
        bool relative = s.Positions is BlockOptions.PositionsRelative1D or BlockOptions.PositionsRelative2D;

        w.Line("/// <summary>One layer's weights: norms as read, linear weights packed for the projection kernel.</summary>");
        w.Line(GeneratedCode.Attribute);
        using (w.Block($"private sealed class {LayerClass}"))
        {
            w.Lines("""
                public readonly float[] AttentionNormWeight = new float[ModelDim];
                public readonly float[] AttentionNormBias = new float[ModelDim];
                public readonly global::Attend.Kernels.PackedProjection PackedQkvWeight = new(ModelDim, QkvWidth);
                """);
            if (qkvBias) w.Line("public readonly float[] QkvBias = new float[QkvWidth];");
            if (s.HasOutputProjection)
            {
                w.Line("public readonly global::Attend.Kernels.PackedProjection PackedOutputWeight = new(InnerDim, ModelDim);");
                w.Line("public readonly float[] OutputBias = new float[ModelDim];");
            }

            if (relative) w.Line("public readonly float[] RelativeBiasTable = new float[RelativeBiasRows * Heads];");
            w.Line("public readonly float[] FeedForwardNormWeight = new float[ModelDim];");
            w.Line("public readonly float[] FeedForwardNormBias = new float[ModelDim];");
            FeedForwardEmitter.EmitWeightFields(w);
            w.Line();
            w.Line("/// <summary>Reads and checks every tensor of layer <c>prefix</c>; throws before returning a half-read layer.</summary>");
            using (w.Block($"public static {LayerClass} Read(global::Attend.IWeightSource source, string prefix, global::Attend.WeightPrecision precision)"))
            {
                w.Line($"var layer = new {LayerClass}();");
                w.Line($"global::Attend.Kernels.WeightLoading.Read(source, prefix, \"{n.AttentionNorm}.weight\", ModelDim).CopyTo(layer.AttentionNormWeight, 0);");
                w.Line($"global::Attend.Kernels.WeightLoading.Read(source, prefix, \"{n.AttentionNorm}.bias\", ModelDim).CopyTo(layer.AttentionNormBias, 0);");
                if (n.SeparateQkv is string module)
                {
                    string stacked(string tensor) => $"new[] {{ \"{module}query.{tensor}\", \"{module}key.{tensor}\", \"{module}value.{tensor}\" }}";
                    w.Line($"layer.PackedQkvWeight.Pack(global::Attend.Kernels.WeightLoading.ReadStacked(source, prefix, {stacked("weight")}, InnerDim, ModelDim), precision);");
                    w.Line($"global::Attend.Kernels.WeightLoading.ReadStacked(source, prefix, {stacked("bias")}, InnerDim).CopyTo(layer.QkvBias, 0);");
                }
                else
                {
                    w.Line($"layer.PackedQkvWeight.Pack(global::Attend.Kernels.WeightLoading.Read(source, prefix, \"{n.QkvWeight}\", QkvWidth, ModelDim), precision);");
                    if (qkvBias) w.Line($"global::Attend.Kernels.WeightLoading.Read(source, prefix, \"{n.QkvBias}\", QkvWidth).CopyTo(layer.QkvBias, 0);");
                }
                if (s.HasOutputProjection)
                {
                    w.Line($"layer.PackedOutputWeight.Pack(global::Attend.Kernels.WeightLoading.Read(source, prefix, \"{n.Output}.weight\", ModelDim, InnerDim), precision);");
                    w.Line($"global::Attend.Kernels.WeightLoading.Read(source, prefix, \"{n.Output}.bias\", ModelDim).CopyTo(layer.OutputBias, 0);");
                }

                if (relative) w.Line($"global::Attend.Kernels.WeightLoading.Read(source, prefix, \"{n.RelativeBiasTable}\", RelativeBiasRows, Heads).CopyTo(layer.RelativeBiasTable, 0);");
                w.Line($"global::Attend.Kernels.WeightLoading.Read(source, prefix, \"{n.FeedForwardNorm}.weight\", ModelDim).CopyTo(layer.FeedForwardNormWeight, 0);");
                w.Line($"global::Attend.Kernels.WeightLoading.Read(source, prefix, \"{n.FeedForwardNorm}.bias\", ModelDim).CopyTo(layer.FeedForwardNormBias, 0);");
                FeedForwardEmitter.EmitWeightReads(w, n.Hidden, n.Projection);
                w.Line("return layer;");
            }
        }

        w.Line();
        if (LearnedPositions(s))
        {
            ownFields += fields => fields.Line("public readonly float[] PositionEmbedding = new float[MaxLength * ModelDim];");
            ownReads += reads => reads.Line($"global::Attend.Kernels.WeightLoading.Read(source, prefix, \"{names.PositionEmbedding}\", {(s.Naming == BlockOptions.NamingTorch ? "MaxLength, ModelDim" : "1, MaxLength, ModelDim")}).CopyTo(stack.PositionEmbedding, 0);");
        }

        StackWeightsEmitter.Emit(w, StackClass, LayerClass, names.LayerPrefix, names.FinalNorm, ownFields, ownReads);
    }

    /// <summary>The ref struct that carries one forward pass's sizes, options and scratch to every sublayer.</summary>
    public static void EmitPass(SourceWriter w, EncoderStackSpec s)
    {
        using (PassText.Open(w, "sizes, options and the scratch every sublayer writes into"))
        {
            w.Lines(PassText.RunMembers);
            w.Lines("""
                /// <summary>New tokens per sequence in this pass.</summary>
                public int Length { get; init; }
                /// <summary>Tokens per sequence already in the cache, before these.</summary>
                public int Past { get; init; }
                public global::Attend.KvCache? Cache { get; init; }
                public global::System.ReadOnlySpan<bool> KeyPaddingMask { get; init; }
                """);
            if (Decodes(s))
            {
                w.Line("/// <summary>The cache's index of this pass's first sequence: a pass may run a range of the batch (<c>RunSequences</c>).</summary>");
                w.Line("public int FirstSequence { get; init; }");
            }

            w.Lines(PassText.ScratchMembers("[rows, QkvWidth]: each row's queries, keys and values side by side."));
            if (Rotary(s))
            {
                w.Line("/// <summary>[Length, RotaryDim]: per new token, RotaryDim / 2 cosines then RotaryDim / 2 sines.</summary>");
                w.Line("public global::System.Span<float> Rotary { get; init; }");
            }

            if (ScoreBias(s))
            {
                w.Line("/// <summary>[Heads, Length, Past + Length]: the position bias added to the scores.</summary>");
                w.Line("public global::System.Span<float> ScoreBias { get; init; }");
            }

            w.Line("public int Rows => Batch * Length;");
            w.Line("public int KeyLength => Past + Length;");
        }

        w.Line();
        w.Line("/// <summary>Floats of scratch a pass over <paramref name=\"rows\"/> rows of sequences <paramref name=\"length\"/> long (after <paramref name=\"past\"/> cached) needs.</summary>");
        using (w.Block("private static long ScratchLength(int rows, int length, int past)"))
        {
            string extra = "";
            if (Rotary(s)) extra += " + (long)length * RotaryDim";
            if (ScoreBias(s)) extra += " + (long)Heads * length * (past + length)";
            w.Line($"return (long)rows * (2 * ModelDim + global::System.Math.Max(QkvWidth + InnerDim, MlpDim)){extra};");
        }

        w.Line();
        w.Line("/// <summary>Carves the scratch buffer into the pass's spans.</summary>");
        using (w.Block("private static Pass CreatePass(global::Attend.KernelPath path, int threads, int batch, int length, global::Attend.KvCache? cache, global::System.ReadOnlySpan<bool> keyPaddingMask, global::System.Span<float> scratch)"))
        {
            w.Lines("""
                int rows = batch * length;
                int past = cache?.Length ?? 0;
                global::System.Span<float> work = scratch.Slice(2 * rows * ModelDim, rows * global::System.Math.Max(QkvWidth + InnerDim, MlpDim));
                int offset = 2 * rows * ModelDim + work.Length;
                """);
            if (Rotary(s))
            {
                w.Line("global::System.Span<float> rotary = scratch.Slice(offset, length * RotaryDim);");
                w.Line("offset += rotary.Length;");
                using (w.Block("for (int t = 0; t < length; t++)"))
                {
                    w.Line("global::System.Span<float> angles = rotary.Slice(t * RotaryDim, RotaryDim);");
                    w.Line("global::Attend.Kernels.RotaryEmbedding.Angles(past + t, RotaryDim, RotaryBase, angles[..(RotaryDim / 2)], angles[(RotaryDim / 2)..]);");
                }
            }

            if (ScoreBias(s)) w.Line("global::System.Span<float> scoreBias = scratch.Slice(offset, Heads * length * (past + length));");
            if (s.Positions == BlockOptions.PositionsAlibi)
            {
                w.Line("// ALiBi is the same in every layer: filled once per pass.");
                w.Line("global::Attend.Kernels.PositionBias.Alibi(Heads, length, past + length, past, scoreBias);");
            }

            using (w.Block("return new Pass", ";"))
            {
                w.Lines("""
                    Path = path, Threads = threads, Batch = batch, Length = length, Past = past, Cache = cache, KeyPaddingMask = keyPaddingMask,
                    Normed = scratch.Slice(0, rows * ModelDim), Delta = scratch.Slice(rows * ModelDim, rows * ModelDim),
                    Qkv = work.Slice(0, rows * QkvWidth), Context = work.Slice(rows * QkvWidth, rows * InnerDim), Hidden = work.Slice(0, rows * MlpDim),
                    """);
                if (Rotary(s)) w.Line("Rotary = rotary,");
                if (ScoreBias(s)) w.Line("ScoreBias = scoreBias,");
            }
        }

        w.Line();
    }

    /// <summary><c>RunEncoderStack</c>: input positions, every layer, the final norm (the caller advances a cache, once per pass over the whole batch).</summary>
    public static void EmitRunStack(SourceWriter w, EncoderStackSpec s)
    {
        w.Lines("""
            /// <summary>
            /// Runs every layer in place on <paramref name="x"/> <c>[pass.Batch, pass.Length, ModelDim]</c>: positions, layers, final norm.
            /// <paramref name="attentionWeights"/>, when not empty, receives <c>[Depth, batch, Heads, Length, KeyLength]</c>.
            /// </summary>
            """);
        using (w.Block($"private static void RunEncoderStack(in Pass pass, {StackClass} weights, global::System.Span<float> x, global::System.Span<float> attentionWeights)"))
        {
            w.Line("global::Attend.KernelPath path = pass.Path;");
            w.Line("int rows = pass.Rows;");
            if (s.Positions == BlockOptions.PositionsSinusoidal)
            {
                w.Lines("""
                    // Sinusoidal positions: the table for this pass's positions, built in the Normed scratch and added per token.
                    global::System.Span<float> table = pass.Normed.Slice(0, pass.Length * ModelDim);
                    global::Attend.Kernels.PositionTables.Sinusoidal(pass.Past, pass.Length, ModelDim, table);
                    global::Attend.Kernels.Elementwise.AddPerRow(path, x, table, rows, ModelDim, x);
                    """);
            }
            else if (LearnedPositions(s))
            {
                w.Line("// Learned positions: rows Past .. Past + Length of the table.");
                w.Line("global::Attend.Kernels.Elementwise.AddPerRow(path, x, global::System.MemoryExtensions.AsSpan(weights.PositionEmbedding, pass.Past * ModelDim, pass.Length * ModelDim), rows, ModelDim, x);");
            }

            w.Line("long perLayer = (long)pass.Batch * Heads * pass.Length * pass.KeyLength;");
            using (w.Block("for (int i = 0; i < Depth; i++)"))
            {
                w.Lines("""
                    global::System.Span<float> layerWeights = attentionWeights.IsEmpty ? default : attentionWeights.Slice((int)(i * perLayer), (int)perLayer);
                    AttentionSublayer(in pass, weights.Layers[i], i, x, layerWeights);
                    FeedForwardSublayer(in pass, weights.Layers[i], x);
                    """);
            }

            if (s.FinalNorm) w.Line("global::Attend.Kernels.Normalization.LayerNorm(path, x, rows, ModelDim, weights.FinalNormWeight, weights.FinalNormBias, LayerNormEpsilon, x);");
        }

        w.Line();
    }

    /// <summary>Whether the stack has the KV-cache members: causal, and no per-call key padding (a padded position would stay cached).</summary>
    public static bool Decodes(EncoderStackSpec s) => s.Causal && !s.KeyPadding;

    public static void EmitAttentionSublayer(SourceWriter w, EncoderStackSpec s, HeadShape shape, EncoderStackNames names)
    {
        bool interleaved = s.Positions == BlockOptions.PositionsRotaryInterleaved;
        EncoderLayerNames n = names.Layer;
        w.Line("/// <summary>");
        w.Line(s.PreNorm
            ? "/// Self-attention sublayer, in place on <paramref name=\"x\"/>: <c>x += out(attention(qkv(norm(x))))</c>."
            : "/// Self-attention sublayer, in place on <paramref name=\"x\"/>: <c>x = norm(x + out(attention(qkv(x))))</c>.");
        w.Line("/// With a cache, the new keys and values are stored first and the queries attend to every cached position.");
        w.Line("/// </summary>");
        using (w.Block($"private static void AttentionSublayer(in Pass pass, {LayerClass} layer, int layerIndex, global::System.Span<float> x, global::System.Span<float> attentionWeights)"))
        {
            string source = SublayerText.Enter(w, s.PreNorm, "AttentionNorm");
            w.Line($"global::Attend.Kernels.ProjectionDriver.Forward(path, {source}, rows, ModelDim, layer.PackedQkvWeight, {(n.QkvBias is null ? "default" : "layer.QkvBias")}, ModelDim, QkvWidth, pass.Qkv, QkvWidth, threads);");
            if (Rotary(s))
            {
                w.Line($"// Rotary positions: queries and keys of each new token turn by that token's angles ({(interleaved ? "interleaved" : "half-split")} pairs).");
                using (w.Block("for (int r = 0; r < rows; r++)"))
                {
                    w.Line("global::System.ReadOnlySpan<float> angles = pass.Rotary.Slice(r % pass.Length * RotaryDim, RotaryDim);");
                    w.Line("global::System.Span<float> row = pass.Qkv.Slice(r * QkvWidth, QkvWidth);");
                    w.Line($"global::Attend.Kernels.RotaryEmbedding.Rotate(path, row, Heads, DimHead, DimHead, RotaryDim, {(interleaved ? "true" : "false")}, angles[..(RotaryDim / 2)], angles[(RotaryDim / 2)..]);");
                    w.Line($"global::Attend.Kernels.RotaryEmbedding.Rotate(path, row.Slice(InnerDim), KvHeads, DimHead, DimHead, RotaryDim, {(interleaved ? "true" : "false")}, angles[..(RotaryDim / 2)], angles[(RotaryDim / 2)..]);");
                }
            }

            if (s.Positions == BlockOptions.PositionsRelative1D)
            {
                w.Line("global::Attend.Kernels.PositionBias.Relative1D(layer.RelativeBiasTable, MaxLength, Heads, pass.Length, pass.KeyLength, pass.Past, pass.ScoreBias);");
            }
            else if (s.Positions == BlockOptions.PositionsRelative2D)
            {
                w.Line("global::Attend.Kernels.PositionBias.Relative2D(layer.RelativeBiasTable, GridHeight, GridWidth, Heads, pass.Length, pass.KeyLength, pass.Past, pass.ScoreBias);");
            }

            w.Line();
            bool decoding = Decodes(s);
            if (decoding)
            {
                w.Lines("""
                    // The new keys and values are read in place from the projected rows; with a cache they also join it for later
                    // passes, and the cached ones (float or bfloat16) are read in place from it.
                    pass.Cache?.Store(layerIndex, pass.Qkv, pass.Length, QkvWidth, InnerDim, InnerDim + KvInnerDim, pass.FirstSequence, pass.Batch);
                    """);
                w.Line();
            }

            var extra = new List<string>();
            if (s.Causal) extra.Add("CausalOffset = pass.Past");
            if (s.Window > 0) extra.Add("Window = Window");
            if (ScoreBias(s)) extra.Add("AdditiveMask = pass.ScoreBias, MaskBatchStride = 0, MaskHeadStride = pass.Length * pass.KeyLength, MaskRowStride = pass.KeyLength, MaskLength = pass.KeyLength");
            AttentionCallEmitter.Emit(w, shape, new AttentionCall(
                "pass.Batch", "Heads", "KvHeads", "pass.Length", "pass.KeyLength",
                new StridedView("pass.Qkv", "pass.Length * QkvWidth", "DimHead", "QkvWidth"),
                new StridedView("pass.Qkv.Slice(InnerDim)", "pass.Length * QkvWidth", "DimHead", "QkvWidth"),
                new StridedView("pass.Qkv.Slice(InnerDim + KvInnerDim)", "pass.Length * QkvWidth", "DimHead", "QkvWidth"),
                new StridedView("pass.Context", "pass.Length * InnerDim", "DimHead", "InnerDim"),
                "ScoreScale", s.Causal ? "true" : "false", "pass.KeyPaddingMask", "attentionWeights") { Extra = extra, Cache = decoding ? "pass.Cache" : null, CacheLayer = "layerIndex", CacheFirstSequence = decoding ? "pass.FirstSequence" : null });

            string delta = "pass.Delta";
            if (s.HasOutputProjection)
            {
                w.Line("global::Attend.Kernels.ProjectionDriver.Forward(path, pass.Context, rows, InnerDim, layer.PackedOutputWeight, layer.OutputBias, InnerDim, ModelDim, pass.Delta, ModelDim, threads);");
            }
            else
            {
                w.Line("// One head as wide as the model: to_out is the identity, so the attention output is the sublayer's output.");
                delta = "pass.Context";
            }

            SublayerText.Residual(w, s.PreNorm, "AttentionNorm", delta);
        }

        w.Line();
    }

    public static void EmitFeedForwardSublayer(SourceWriter w, EncoderStackSpec s) =>
        FeedForwardEmitter.Emit(w, LayerClass, "FeedForwardNorm", s.PreNorm, s.Activation);
}
