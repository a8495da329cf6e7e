namespace Attend.Generators.Emit;

/// <summary>
/// Writes a <c>[BertModel]</c> class as Hugging Face's <c>BertModel</c>: token ids → word + position + token-type
/// embeddings → LayerNorm → the post-norm encoder stack (under <c>encoder.layer.{i}.</c>) → last hidden state, and
/// <c>Embed</c>, which pools (and optionally normalises) it the way sentence-transformers does.
/// </summary>
internal static class BertModelEmitter
{
    private const string Interface = "global::Attend.ISentenceEmbeddingModel";

    public static string Emit(EncoderLayerPlan<BertModelSpec> layer)
    {
        BertModelSpec spec = layer.Spec;
        EncoderStackSpec s = spec.Stack;
        HeadKernelPlan plan = layer.Kernels;
        var remarks = new List<string>
        {
            $"Embeddings: word [{spec.VocabSize}, {s.ModelDim}] + position [{spec.MaxPositions}, {s.ModelDim}] (positions 0..length − 1) + token type [{spec.TypeVocabSize}, {s.ModelDim}], then LayerNorm (embeddings.LayerNorm).",
            "The attention mask uses Hugging Face's polarity (1 = real token, 0 = padding); padded keys are never scored, and a sequence with no real token yields zeros.",
            "query, key and value are stacked at load into one packed projection, so each layer runs one QKV GEMM.",
            $"Embed: {PoolingText(spec.Pooling)}" + (spec.NormalizeEmbeddings ? ", then L2-normalised." : "."),
            "LoadWeights accepts the names with or without a leading 'bert.' and the legacy LayerNorm.gamma/beta, and ONNX exports whose MatMul weights are anonymous (global::Attend.OnnxWeights recovers them).",
        };
        remarks.AddRange(EncoderStackEmitter.Remarks(s, plan, layer.Names));
        return TypeShellEmitter.Emit(
            spec.Identity,
            $"A BERT encoder, {s.Depth} layers of E = {s.ModelDim}, {s.Heads} heads of {s.DimHead}, MLP {s.MlpDim}, vocabulary {spec.VocabSize}, as Hugging Face's <c>BertModel</c>.",
            remarks.ToArray(),
            w =>
            {
                EmitConstants(w, spec);
                EncoderStackEmitter.EmitConstants(w, s);
                EmitSurface(w, spec);
                EmitRun(w, spec);
                EncoderStackEmitter.EmitWeightClasses(w, s, layer.Names, fields => EmitEmbeddingFields(fields, spec), reads => EmitEmbeddingReads(reads, spec));
                EncoderStackEmitter.EmitPass(w, s);
                EncoderStackEmitter.EmitRunStack(w, s);
                EncoderStackEmitter.EmitAttentionSublayer(w, s, layer.Shape, layer.Names);
                EncoderStackEmitter.EmitFeedForwardSublayer(w, s);
            },
            " : " + Interface);
    }

    private static string PoolingText(int pooling) => pooling switch
    {
        BlockOptions.EmbeddingPoolingCls => "the [CLS] token's last hidden state",
        BlockOptions.EmbeddingPoolingMax => "the element-wise maximum over the real tokens",
        BlockOptions.EmbeddingPoolingPooler => "Hugging Face's pooler_output, tanh(pooler.dense([CLS]))",
        _ => "the mean over the real tokens",
    };

    private static void EmitConstants(SourceWriter w, BertModelSpec spec)
    {
        LayerMembers.Constant(w, "Rows of the word embedding: token ids run from 0 to <c>VocabSize - 1</c>.", "VocabSize", $"{spec.VocabSize}");
        LayerMembers.Constant(w, "Rows of the position embedding: the longest input, special tokens included.", "MaxPositions", $"{spec.MaxPositions}");
        LayerMembers.Constant(w, "Rows of the token-type (segment) embedding.", "TypeVocabSize", $"{spec.TypeVocabSize}");
        w.Line("/// <summary>Whether <see cref=\"Embed\"/> L2-normalises each embedding.</summary>");
        w.Line(GeneratedCode.Attribute);
        w.Line($"public const bool NormalizeEmbeddings = {(spec.NormalizeEmbeddings ? "true" : "false")};");
        w.Line();
    }

    private static void EmitEmbeddingFields(SourceWriter w, BertModelSpec spec)
    {
        w.Lines("""
            public readonly float[] WordEmbedding = new float[(long)VocabSize * ModelDim];
            public readonly float[] PositionEmbedding = new float[(long)MaxPositions * ModelDim];
            public readonly float[] TokenTypeEmbedding = new float[(long)TypeVocabSize * ModelDim];
            public readonly float[] EmbeddingNormWeight = new float[ModelDim];
            public readonly float[] EmbeddingNormBias = new float[ModelDim];
            """);
        if (spec.Pooling == BlockOptions.EmbeddingPoolingPooler)
        {
            w.Line("public readonly float[] PackedPoolerWeight = new float[global::Attend.Kernels.LinearKernels.PackedLength(ModelDim, ModelDim)];");
            w.Line("public readonly float[] PoolerBias = new float[ModelDim];");
        }
    }

    private static void EmitEmbeddingReads(SourceWriter w, BertModelSpec spec)
    {
        w.Lines("""
            global::Attend.Kernels.WeightLoading.Read(source, prefix, "embeddings.word_embeddings.weight", VocabSize, ModelDim).CopyTo(stack.WordEmbedding, 0);
            global::Attend.Kernels.WeightLoading.Read(source, prefix, "embeddings.position_embeddings.weight", MaxPositions, ModelDim).CopyTo(stack.PositionEmbedding, 0);
            global::Attend.Kernels.WeightLoading.Read(source, prefix, "embeddings.token_type_embeddings.weight", TypeVocabSize, ModelDim).CopyTo(stack.TokenTypeEmbedding, 0);
            global::Attend.Kernels.WeightLoading.Read(source, prefix, "embeddings.LayerNorm.weight", ModelDim).CopyTo(stack.EmbeddingNormWeight, 0);
            global::Attend.Kernels.WeightLoading.Read(source, prefix, "embeddings.LayerNorm.bias", ModelDim).CopyTo(stack.EmbeddingNormBias, 0);
            """);
        if (spec.Pooling == BlockOptions.EmbeddingPoolingPooler)
        {
            w.Line("global::Attend.Kernels.LinearKernels.Pack(global::Attend.Kernels.WeightLoading.Read(source, prefix, \"pooler.dense.weight\", ModelDim, ModelDim), ModelDim, ModelDim, stack.PackedPoolerWeight);");
            w.Line("global::Attend.Kernels.WeightLoading.Read(source, prefix, \"pooler.dense.bias\", ModelDim).CopyTo(stack.PoolerBias, 0);");
        }
    }

    private static void EmitSurface(SourceWriter w, BertModelSpec spec)
    {
        string stack = EncoderStackEmitter.StackClass;
        w.Line($"private {stack} _weights = {stack}.Zeroed();");
        w.Line();
        LayerSurfaceEmitter.Emit(w, spec.Identity.Type.Name, "model", LayerSurfaceEmitter.BlockThreads, spec.Stack.WeightPrecision);

        w.Lines("""
            /// <summary>
            /// Loads a BERT checkpoint under Hugging Face's <c>BertModel</c> names (<c>embeddings.word_embeddings.weight</c>,
            /// <c>encoder.layer.{i}.attention.self.query.weight</c>, …): <c>model.safetensors</c> as <c>save_pretrained</c> writes it
            /// (a leading <c>bert.</c> and legacy <c>LayerNorm.gamma</c>/<c>beta</c> are accepted), or <c>OnnxWeights.Open("model.onnx")</c>.
            /// Every tensor is read and checked before any is applied, so a failed load leaves the model unchanged; a forward
            /// pass running meanwhile finishes on the weights it started with.
            /// </summary>
            """);
        using (LayerMembers.OpenLoadWeights(w, "The tensors; others (a task head, <c>position_ids</c>) are ignored.", "Prepended to every name, e.g. <c>\"bert.\"</c> (found by itself when left empty)."))
        {
            w.Line($"global::System.Threading.Volatile.Write(ref _weights, {stack}.Read(global::Attend.BertCheckpoint.Canonical(source), prefix, WeightPrecision));");
        }

        w.Line();
        w.Line("/// <summary>Runs the model: the last hidden state of every token. Allocates nothing once warm; safe to call from many threads at once.</summary>");
        EmitTokenParams(w);
        w.Line("/// <param name=\"lastHiddenState\">Receives <c>[batch, length, ModelDim]</c> (<c>last_hidden_state</c>).</param>");
        EmitShapeParams(w);
        w.Line(GeneratedCode.Attribute);
        using (w.Block("public void Forward(global::System.ReadOnlySpan<int> inputIds, global::System.ReadOnlySpan<int> attentionMask, global::System.Span<float> lastHiddenState, int batch, int length, global::System.ReadOnlySpan<int> tokenTypeIds = default)"))
        {
            w.Lines("""
                CheckTokens(inputIds, attentionMask, tokenTypeIds, batch, length);
                global::Attend.Kernels.ArgumentChecks.Length(lastHiddenState.Length, (long)batch * length * ModelDim, nameof(lastHiddenState), $"batch × length × ModelDim = {batch} × {length} × {ModelDim}");
                Run(inputIds, attentionMask, tokenTypeIds, lastHiddenState, batch, length);
                """);
        }

        w.Line();
        w.Line($"/// <summary>Embeds each sequence: {PoolingText(spec.Pooling)}{(spec.NormalizeEmbeddings ? ", L2-normalised" : "")}. Allocates nothing once warm; safe to call from many threads at once.</summary>");
        EmitTokenParams(w);
        w.Line("/// <param name=\"embeddings\">Receives <c>[batch, ModelDim]</c>.</param>");
        EmitShapeParams(w);
        w.Line("/// <param name=\"lastHiddenState\">Optional; receives <c>[batch, length, ModelDim]</c> from the same pass, as <see cref=\"Forward\"/> would.</param>");
        w.Line(GeneratedCode.Attribute);
        using (w.Block("public void Embed(global::System.ReadOnlySpan<int> inputIds, global::System.ReadOnlySpan<int> attentionMask, global::System.Span<float> embeddings, int batch, int length, global::System.ReadOnlySpan<int> tokenTypeIds = default, global::System.Span<float> lastHiddenState = default)"))
        {
            w.Lines("""
                CheckTokens(inputIds, attentionMask, tokenTypeIds, batch, length);
                global::Attend.Kernels.ArgumentChecks.Length(embeddings.Length, (long)batch * ModelDim, nameof(embeddings), $"batch × ModelDim = {batch} × {ModelDim}");
                if (!lastHiddenState.IsEmpty) global::Attend.Kernels.ArgumentChecks.Length(lastHiddenState.Length, (long)batch * length * ModelDim, nameof(lastHiddenState), $"batch × length × ModelDim = {batch} × {length} × {ModelDim}");
                """);
            bool pooler = spec.Pooling == BlockOptions.EmbeddingPoolingPooler;
            w.Line($"long hiddenLength = (long)batch * length * ModelDim{(pooler ? " + (long)batch * ModelDim" : "")};");
            w.Line("if (hiddenLength > global::System.Array.MaxLength) throw new global::System.ArgumentException($\"batch × length is too large: the hidden state needs {hiddenLength} floats, more than one array holds; split the batch.\", nameof(batch));");
            w.Line("float[] buffer = global::System.Buffers.ArrayPool<float>.Shared.Rent((int)hiddenLength);");
            using (w.Block("try"))
            {
                w.Line("global::System.Span<float> hidden = lastHiddenState.IsEmpty ? global::System.MemoryExtensions.AsSpan(buffer, 0, batch * length * ModelDim) : lastHiddenState;");
                w.Line("Run(inputIds, attentionMask, tokenTypeIds, hidden, batch, length);");
                switch (spec.Pooling)
                {
                    case BlockOptions.EmbeddingPoolingCls:
                        w.Line("global::Attend.Kernels.SentencePooling.First(hidden, batch, length, ModelDim, embeddings);");
                        break;
                    case BlockOptions.EmbeddingPoolingMax:
                        w.Line("global::Attend.Kernels.SentencePooling.Max(hidden, attentionMask, batch, length, ModelDim, embeddings);");
                        break;
                    case BlockOptions.EmbeddingPoolingPooler:
                        w.Lines("""
                            // pooler_output: tanh(dense(h[CLS])), the [CLS] rows gathered first so the dense layer is one GEMM.
                            global::System.Span<float> first = global::System.MemoryExtensions.AsSpan(buffer, batch * length * ModelDim, batch * ModelDim);
                            global::Attend.Kernels.SentencePooling.First(hidden, batch, length, ModelDim, first);
                            """);
                        w.Line($"{stack} weights = global::System.Threading.Volatile.Read(ref _weights);");
                        w.Lines("""
                            global::Attend.KernelPath path = global::Attend.Kernels.KernelPaths.Resolve(Path);
                            global::Attend.Kernels.ProjectionDriver.Forward(path, first, batch, ModelDim, weights.PackedPoolerWeight, weights.PoolerBias, ModelDim, ModelDim, embeddings, ModelDim, global::System.Math.Max(1, MaxDegreeOfParallelism));
                            global::Attend.Kernels.PoolingKernels.Tanh(path, embeddings);
                            """);
                        break;
                    default:
                        w.Line("global::Attend.Kernels.SentencePooling.Mean(global::Attend.Kernels.KernelPaths.Resolve(Path), hidden, attentionMask, batch, length, ModelDim, embeddings);");
                        break;
                }

                if (spec.NormalizeEmbeddings) w.Line("global::Attend.Kernels.SentencePooling.NormalizeRows(embeddings, ModelDim);");
            }

            using (w.Block("finally"))
            {
                w.Line("global::System.Buffers.ArrayPool<float>.Shared.Return(buffer);");
            }
        }

        // The embedding-model interface, implemented explicitly over the class's own constants and Embed.
        foreach (string member in new[]
        {
            $"int {Interface}.EmbeddingDimensions => ModelDim;",
            $"int {Interface}.MaxSequenceLength => MaxPositions;",
            $"bool {Interface}.NormalizesEmbeddings => NormalizeEmbeddings;",
        })
        {
            w.Line();
            w.GeneratedMember(member);
        }

        w.Line();
        w.Line(GeneratedCode.Attribute);
        w.Line($"void {Interface}.Embed(global::System.ReadOnlySpan<int> inputIds, global::System.ReadOnlySpan<int> attentionMask, global::System.ReadOnlySpan<int> tokenTypeIds, global::System.Span<float> embeddings, int batch, int length) =>");
        w.Line("    Embed(inputIds, attentionMask, embeddings, batch, length, tokenTypeIds);");
        w.Line();
    }

    private static void EmitTokenParams(SourceWriter w)
    {
        LayerMembers.Params(w, ("inputIds", "<c>[batch, length]</c> token ids, each in <c>0..VocabSize - 1</c>."), ("attentionMask", "<c>[batch, length]</c>: 1 for a real token, 0 for padding (Hugging Face's <c>attention_mask</c>)."));
    }

    private static void EmitShapeParams(SourceWriter w)
    {
        LayerMembers.Params(w, ("batch", "Number of sequences."), ("length", "Tokens per sequence (padded to the same length), at most <c>MaxPositions</c>."), ("tokenTypeIds", "Optional <c>[batch, length]</c> segment ids, each in <c>0..TypeVocabSize - 1</c>; empty means all 0."));
        w.Line("/// <exception cref=\"global::System.ArgumentException\">A length, id or mask value is out of range; the message names the argument and what was expected.</exception>");
    }

    private static void EmitRun(SourceWriter w, BertModelSpec spec)
    {
        w.Line("/// <summary>Checks the token arguments before any memory is touched.</summary>");
        using (w.Block("private static void CheckTokens(global::System.ReadOnlySpan<int> inputIds, global::System.ReadOnlySpan<int> attentionMask, global::System.ReadOnlySpan<int> tokenTypeIds, int batch, int length)"))
        {
            w.Lines("""
                global::Attend.Kernels.ArgumentChecks.Positive(batch, nameof(batch));
                global::Attend.Kernels.ArgumentChecks.Positive(length, nameof(length));
                if (length > MaxPositions) throw new global::System.ArgumentException($"length is {length}; the position embedding covers MaxPositions = {MaxPositions} tokens: truncate the input.", nameof(length));
                global::Attend.Kernels.ArgumentChecks.Length(inputIds.Length, (long)batch * length, nameof(inputIds), $"batch × length = {batch} × {length}");
                global::Attend.Kernels.ArgumentChecks.Length(attentionMask.Length, (long)batch * length, nameof(attentionMask), $"batch × length = {batch} × {length}");
                if (!tokenTypeIds.IsEmpty) global::Attend.Kernels.ArgumentChecks.Length(tokenTypeIds.Length, (long)batch * length, nameof(tokenTypeIds), $"batch × length = {batch} × {length}");
                global::Attend.Kernels.TokenEmbeddings.CheckIds(inputIds, VocabSize, nameof(inputIds), nameof(VocabSize));
                global::Attend.Kernels.TokenEmbeddings.CheckIds(tokenTypeIds, TypeVocabSize, nameof(tokenTypeIds), nameof(TypeVocabSize));
                global::Attend.Kernels.TokenEmbeddings.CheckAttentionMask(attentionMask, nameof(attentionMask));
                """);
        }

        w.Line();
        w.Line("/// <summary>Embeddings, their LayerNorm and every encoder layer, into <paramref name=\"hidden\"/> <c>[batch, length, ModelDim]</c>.</summary>");
        using (w.Block("private void Run(global::System.ReadOnlySpan<int> inputIds, global::System.ReadOnlySpan<int> attentionMask, global::System.ReadOnlySpan<int> tokenTypeIds, global::System.Span<float> hidden, int batch, int length)"))
        {
            w.Line($"{EncoderStackEmitter.StackClass} weights = global::System.Threading.Volatile.Read(ref _weights); // one set for the whole pass");
            w.Lines("""
                global::Attend.KernelPath path = global::Attend.Kernels.KernelPaths.Resolve(Path);
                int rows = batch * length;
                long scratchLength = ScratchLength(rows, length, 0);
                if (scratchLength > global::System.Array.MaxLength) throw new global::System.ArgumentException($"batch × length is too large: one pass needs {scratchLength} floats of scratch, more than one array holds; split the batch.", nameof(batch));
                float[] scratch = global::System.Buffers.ArrayPool<float>.Shared.Rent((int)scratchLength);
                bool[] padded = global::System.Buffers.ArrayPool<bool>.Shared.Rent(rows);
                """);
            using (w.Block("try"))
            {
                w.Lines("""
                    // Hugging Face's mask says which tokens are real; the attention kernels take PyTorch's key padding (true = padded).
                    for (int i = 0; i < rows; i++) padded[i] = attentionMask[i] == 0;
                    global::Attend.Kernels.TokenEmbeddings.Sum(path, inputIds, tokenTypeIds, length, ModelDim, weights.WordEmbedding, weights.PositionEmbedding, weights.TokenTypeEmbedding, hidden);
                    global::Attend.Kernels.Normalization.LayerNorm(path, hidden, rows, ModelDim, weights.EmbeddingNormWeight, weights.EmbeddingNormBias, LayerNormEpsilon, hidden);
                    Pass pass = CreatePass(path, global::System.Math.Max(1, MaxDegreeOfParallelism), batch, length, null, global::System.MemoryExtensions.AsSpan(padded, 0, rows), global::System.MemoryExtensions.AsSpan(scratch, 0, (int)scratchLength));
                    RunEncoderStack(in pass, weights, hidden, default);
                    """);
            }

            using (w.Block("finally"))
            {
                w.Line("global::System.Buffers.ArrayPool<bool>.Shared.Return(padded);");
                w.Line("global::System.Buffers.ArrayPool<float>.Shared.Return(scratch);");
            }
        }

        w.Line();
    }
}
