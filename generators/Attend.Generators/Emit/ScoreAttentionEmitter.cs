namespace Attend.Generators.Emit;

/// <summary>Writes an <c>[Attention]</c> class: constants, weights, <c>LoadWeights</c>, <c>Forward</c> and its score kernels.</summary>
internal static class ScoreAttentionEmitter
{
    public static string Emit(ScoreAttentionPlan plan)
    {
        ScoreAttentionSpec spec = plan.Spec;
        return TypeShellEmitter.Emit(
            spec.Identity,
            $"Encoder-decoder attention with the {ScoreTitle(spec.Score)} score: queries of {spec.QuerySize}, keys of {spec.KeySize}, values of {spec.ValueSize} features.",
            Remarks(spec),
            w =>
            {
                EmitConstants(w, spec);
                EmitFields(w, spec);
                FeatureMapLayerEmitter.EmitPathProperties(w);
                if (HasWeights(spec)) EmitLoadWeights(w, spec);
                EmitForward(w, spec);
                ScoreKernelsEmitter.Emit(w, plan);
            });
    }

    private static bool Predictive(ScoreAttentionSpec spec) => spec.Local == (int)LocalAttention.Predictive;

    private static bool HasWeights(ScoreAttentionSpec spec) => spec.Score is AttentionScore.General or AttentionScore.Additive or AttentionScore.Mlp || Predictive(spec);

    private static string ScoreTitle(AttentionScore score) => score switch
    {
        AttentionScore.Dot => "dot (Luong)",
        AttentionScore.ScaledDot => "scaled dot",
        AttentionScore.General => "general, bilinear (Luong)",
        AttentionScore.Cosine => "cosine",
        AttentionScore.Additive => "additive (Bahdanau)",
        _ => "MLP",
    };

    private static string[] Remarks(ScoreAttentionSpec spec)
    {
        var remarks = new List<string>
        {
            $"Specialized at compile time: Score = {spec.Score}, QuerySize = {spec.QuerySize}, KeySize = {spec.KeySize}, ValueSize = {spec.ValueSize}" +
                (spec.IsAdditive ? $", Hidden = {spec.Hidden}" : "") + $", Selection = {(AttentionSelection)spec.Selection}" +
                (spec.Selection == (int)AttentionSelection.TopK ? $" (k = {spec.TopK})" : "") + $", Local = {(LocalAttention)spec.Local}" + (spec.Local != (int)LocalAttention.None ? $" (D = {spec.Window})" : "") + ".",
            spec.Score switch
            {
                AttentionScore.Dot => "score(q, k) = qᵀk, unscaled (Luong's dot).",
                AttentionScore.ScaledDot => $"score(q, k) = qᵀk / sqrt({spec.QuerySize}).",
                AttentionScore.General => "score(q, k) = qᵀ W_a k: the keys are projected once per call (y = k W_aᵀ with the packed projection kernel), then scored as dot products.",
                AttentionScore.Cosine => "score(q, k) = q/max(|q|, 1e-8) · k/max(|k|, 1e-8): rows are normalized once per call, then scored as dot products.",
                AttentionScore.Additive => "score(q, k) = w_vᵀ tanh(W_q q + W_k k): queries and keys are projected once per call, so each pair costs Hidden additions, tanh and multiply-adds.",
                _ => "score(q, k) = w₂ᵀ relu(W₁[q; k] + b₁) + b₂: W₁ is split into its query and key columns at load time, so queries and keys are projected once per call.",
            },
            spec.Selection switch
            {
                0 => "Weights: softmax over the keys the row sees (the row maximum is subtracted first).",
                1 => "Weights: hard attention, 1 on the highest-scoring key the row sees (ties: the lowest index), 0 elsewhere.",
                _ => $"Weights: the {spec.TopK} highest-scoring keys the row sees (ties at the boundary: the lowest indices), softmax over them, 0 elsewhere.",
            },
            spec.Local switch
            {
                0 => "Global attention: every key below the row's valid length and not padded is seen.",
                1 => $"Local-m attention: row i sees keys in [p - {spec.Window}, p + {spec.Window}], p given per row at run time (positions) or i.",
                _ => $"Local-p attention: p = S · sigmoid(v_pᵀ tanh(W_p q)) with S the row's key count; the row sees keys s with |s - p| ≤ {spec.Window}, and the selected weights are multiplied by exp(-(s - p)² / (2σ²)), σ = {Literals.Float(spec.Window / 2f)} (not renormalized, as in Luong et al.).",
            },
            "A row that sees no key yields zeros, never NaN (d2l's masked softmax would spread its weight uniformly).",
        };
        return remarks.ToArray();
    }

    private static void EmitConstants(SourceWriter w, ScoreAttentionSpec spec)
    {
        LayerMembers.Constant(w, "Features per query row.", "QuerySize", $"{spec.QuerySize}");
        LayerMembers.Constant(w, "Features per key row.", "KeySize", $"{spec.KeySize}");
        LayerMembers.Constant(w, "Features per value row and output row.", "ValueSize", $"{spec.ValueSize}");
        if (spec.IsAdditive)
        {
            LayerMembers.Constant(w, "Hidden width of the score (<c>num_hiddens</c>).", "Hidden", $"{spec.Hidden}");
        }

        if (spec.Selection == (int)AttentionSelection.TopK)
        {
            LayerMembers.Constant(w, "Keys top-k selection keeps per row.", "TopK", $"{spec.TopK}");
        }

        if (spec.Local != 0)
        {
            LayerMembers.Constant(w, "Half-width D of the local window.", "Window", $"{spec.Window}");
        }

        if (Predictive(spec))
        {
            LayerMembers.Constant(w, "Hidden width of the local-p position predictor.", "PositionHidden", $"{spec.PositionHidden}");
        }
    }

    private static void EmitFields(SourceWriter w, ScoreAttentionSpec spec)
    {
        if (!HasWeights(spec)) return;
        w.Lines("""
            // The weights in use. LoadWeights reads and packs a whole new set, then publishes it with one reference write, so a
            // Forward running meanwhile computes with the old set or the new one, never a mix of the two.
            private LayerWeights _weights = new LayerWeights();
            """);
        w.Line();
        w.Line("// Projection weights packed once, at load time, into the panel layout the projection kernel streams; never written once published.");
        using (w.Block("private sealed class LayerWeights"))
        {
            switch (spec.Score)
            {
                case AttentionScore.General:
                    w.Line("public readonly float[] PackedKeyWeight = new float[global::Attend.Kernels.LinearKernels.PackedLength(KeySize, QuerySize)];");
                    break;
                case AttentionScore.Additive:
                    w.Lines("""
                        public readonly float[] PackedQueryWeight = new float[global::Attend.Kernels.LinearKernels.PackedLength(QuerySize, Hidden)];
                        public readonly float[] PackedKeyWeight = new float[global::Attend.Kernels.LinearKernels.PackedLength(KeySize, Hidden)];
                        public readonly float[] ScoreWeights = new float[Hidden];
                        """);
                    break;
                case AttentionScore.Mlp:
                    w.Lines("""
                        public readonly float[] PackedQueryWeight = new float[global::Attend.Kernels.LinearKernels.PackedLength(QuerySize, Hidden)];
                        public readonly float[] QueryBias = new float[Hidden];
                        public readonly float[] PackedKeyWeight = new float[global::Attend.Kernels.LinearKernels.PackedLength(KeySize, Hidden)];
                        public readonly float[] ScoreWeights = new float[Hidden + 1];
                        """);
                    break;
            }

            if (Predictive(spec))
            {
                w.Line("public readonly float[] PackedPositionWeight = new float[global::Attend.Kernels.LinearKernels.PackedLength(QuerySize, PositionHidden)];");
                w.Line("public readonly float[] PositionVector = new float[PositionHidden];");
            }
        }

        w.Line();
        LayerMembers.ZeroWeightsConstructor(w, spec.Identity.Type.Name);
    }

    private static void EmitLoadWeights(SourceWriter w, ScoreAttentionSpec spec)
    {
        var names = new List<string>();
        switch (spec.Score)
        {
            case AttentionScore.General: names.Add("<c>W_a.weight</c> [QuerySize, KeySize]"); break;
            case AttentionScore.Additive: names.AddRange(new[] { "<c>W_q.weight</c> [Hidden, QuerySize]", "<c>W_k.weight</c> [Hidden, KeySize]", "<c>w_v.weight</c> [1, Hidden]" }); break;
            case AttentionScore.Mlp: names.AddRange(new[] { "<c>mlp.0.weight</c> [Hidden, QuerySize + KeySize]", "<c>mlp.0.bias</c> [Hidden]", "<c>mlp.2.weight</c> [1, Hidden]", "<c>mlp.2.bias</c> [1]" }); break;
        }

        if (Predictive(spec)) names.AddRange(new[] { "<c>W_p.weight</c> [PositionHidden, QuerySize]", "<c>v_p.weight</c> [1, PositionHidden]" });
        w.Line("/// <summary>");
        w.Line("/// Loads the score's weights under PyTorch's names (d2l.ai's modules; <c>nn.Linear</c> layout, <c>[out, in]</c>):");
        w.Line($"/// {string.Join(", ", names)}.");
        w.Lines("""
            /// Every tensor is read and checked before any is applied, so a failed load leaves the layer unchanged.
            /// Safe while <see cref="Forward"/> runs on other threads: the new weights replace the old all at once when packed,
            /// and a forward pass already running finishes with the weights it started with.
            /// </summary>
            """);
        using (LayerMembers.OpenLoadWeights(w, "The tensors, e.g. <c>SafeTensors.Open(\"model.safetensors\")</c>; tensors it holds beyond these are ignored.", "Prepended to every name, e.g. <c>\"decoder.attention.\"</c>."))
        {
            switch (spec.Score)
            {
                case AttentionScore.General:
                    w.Line("float[] bilinear = global::Attend.Kernels.WeightLoading.Read(source, prefix, \"W_a.weight\", QuerySize, KeySize);");
                    break;
                case AttentionScore.Additive:
                    w.Lines("""
                        float[] queryWeight = global::Attend.Kernels.WeightLoading.Read(source, prefix, "W_q.weight", Hidden, QuerySize);
                        float[] keyWeight = global::Attend.Kernels.WeightLoading.Read(source, prefix, "W_k.weight", Hidden, KeySize);
                        float[] scoreVector = global::Attend.Kernels.WeightLoading.Read(source, prefix, "w_v.weight", 1, Hidden);
                        """);
                    break;
                case AttentionScore.Mlp:
                    w.Lines("""
                        float[] hiddenWeight = global::Attend.Kernels.WeightLoading.Read(source, prefix, "mlp.0.weight", Hidden, QuerySize + KeySize);
                        float[] hiddenBias = global::Attend.Kernels.WeightLoading.Read(source, prefix, "mlp.0.bias", Hidden);
                        float[] scoreVector = global::Attend.Kernels.WeightLoading.Read(source, prefix, "mlp.2.weight", 1, Hidden);
                        float[] scoreBias = global::Attend.Kernels.WeightLoading.Read(source, prefix, "mlp.2.bias", 1);
                        """);
                    break;
            }

            if (Predictive(spec))
            {
                w.Line("float[] positionWeight = global::Attend.Kernels.WeightLoading.Read(source, prefix, \"W_p.weight\", PositionHidden, QuerySize);");
                w.Line("float[] positionVector = global::Attend.Kernels.WeightLoading.Read(source, prefix, \"v_p.weight\", 1, PositionHidden);");
            }

            w.Line();
            w.Line("var next = new LayerWeights();");
            switch (spec.Score)
            {
                case AttentionScore.General:
                    w.Line("// W_a.weight [QuerySize, KeySize] is nn.Linear(KeySize, QuerySize)'s weight: W k for every key in one pass.");
                    w.Line("global::Attend.Kernels.LinearKernels.Pack(bilinear, KeySize, QuerySize, next.PackedKeyWeight);");
                    break;
                case AttentionScore.Additive:
                    w.Lines("""
                        global::Attend.Kernels.LinearKernels.Pack(queryWeight, QuerySize, Hidden, next.PackedQueryWeight);
                        global::Attend.Kernels.LinearKernels.Pack(keyWeight, KeySize, Hidden, next.PackedKeyWeight);
                        scoreVector.CopyTo(next.ScoreWeights, 0);
                        """);
                    break;
                case AttentionScore.Mlp:
                    w.Lines("""
                        // W₁[q; k] = W₁q q + W₁k k: split the columns so queries and keys are each projected once.
                        float[] queryColumns = new float[Hidden * QuerySize];
                        float[] keyColumns = new float[Hidden * KeySize];
                        """);
                    using (w.Block("for (int h = 0; h < Hidden; h++)"))
                    {
                        w.Line("global::System.MemoryExtensions.AsSpan(hiddenWeight, h * (QuerySize + KeySize), QuerySize).CopyTo(global::System.MemoryExtensions.AsSpan(queryColumns, h * QuerySize));");
                        w.Line("global::System.MemoryExtensions.AsSpan(hiddenWeight, h * (QuerySize + KeySize) + QuerySize, KeySize).CopyTo(global::System.MemoryExtensions.AsSpan(keyColumns, h * KeySize));");
                    }

                    w.Lines("""
                        global::Attend.Kernels.LinearKernels.Pack(queryColumns, QuerySize, Hidden, next.PackedQueryWeight);
                        global::Attend.Kernels.LinearKernels.Pack(keyColumns, KeySize, Hidden, next.PackedKeyWeight);
                        hiddenBias.CopyTo(next.QueryBias, 0);
                        scoreVector.CopyTo(next.ScoreWeights, 0);
                        next.ScoreWeights[Hidden] = scoreBias[0];
                        """);
                    break;
            }

            if (Predictive(spec))
            {
                w.Line("global::Attend.Kernels.LinearKernels.Pack(positionWeight, QuerySize, PositionHidden, next.PackedPositionWeight);");
                w.Line("positionVector.CopyTo(next.PositionVector, 0);");
            }

            w.Line("global::System.Threading.Volatile.Write(ref _weights, next);");
        }

        w.Line();
    }

    private static void EmitForward(SourceWriter w, ScoreAttentionSpec spec)
    {
        bool monotonic = spec.Local == 1;
        w.Line("/// <summary>");
        w.Line("/// Runs attention: for each query row, weights over the keys it sees from the scores, then <c>y = Σ_j a_j v_j</c>.");
        if (HasWeights(spec))
        {
            w.Line("/// Allocates nothing once warm and may be called from many threads at once, also while <see cref=\"LoadWeights\"/> runs:");
            w.Line("/// the pass reads the weights once and computes with that one complete set.");
        }
        else
        {
            w.Line("/// Allocates nothing once warm and may be called from many threads at once.");
        }
        w.Line("/// </summary>");
        LayerMembers.Params(w, ("queries", "Queries <c>[batch, queryLength, QuerySize]</c>, row-major."), ("keys", "Keys <c>[batch, keyLength, KeySize]</c>."), ("values", "Values <c>[batch, keyLength, ValueSize]</c>."), ("output", "Receives <c>[batch, queryLength, ValueSize]</c>."), ("batch", "Number of sequences."), ("queryLength", "Query rows per sequence."), ("keyLength", "Key and value rows per sequence."), ("validLengths", "Optional, d2l's <c>valid_lens</c>: <c>[batch]</c> or <c>[batch, queryLength]</c>, each in <c>[0, keyLength]</c>; keys at or past it are masked."), ("keyPaddingMask", "Optional <c>[batch, keyLength]</c>, <c>true</c> = padded key (PyTorch's polarity)."));
        if (monotonic) w.Line("/// <param name=\"positions\">Optional <c>[batch, queryLength]</c> window centres p; empty centres row i on key i (local-m).</param>");
        LayerMembers.Params(w, ("attentionWeights", "Optional; receives the weights <c>[batch, queryLength, keyLength]</c> (0 for keys a row does not see)."), ("scores", "Optional; receives the scores <c>[batch, queryLength, keyLength]</c> before selection, −∞ for keys a row does not see."));
        w.Line("/// <exception cref=\"global::System.ArgumentException\">A length or size does not match; the message names the argument and the size expected.</exception>");
        w.Line(GeneratedCode.Attribute);
        string positionsParameter = monotonic ? ", global::System.ReadOnlySpan<int> positions = default" : "";
        using (w.Block($"public void Forward(global::System.ReadOnlySpan<float> queries, global::System.ReadOnlySpan<float> keys, global::System.ReadOnlySpan<float> values, global::System.Span<float> output, int batch, int queryLength, int keyLength, global::System.ReadOnlySpan<int> validLengths = default, global::System.ReadOnlySpan<bool> keyPaddingMask = default{positionsParameter}, global::System.Span<float> attentionWeights = default, global::System.Span<float> scores = default)"))
        {
            w.Lines("""
                global::Attend.Kernels.ArgumentChecks.Positive(batch, nameof(batch));
                global::Attend.Kernels.ArgumentChecks.Positive(queryLength, nameof(queryLength));
                global::Attend.Kernels.ArgumentChecks.Positive(keyLength, nameof(keyLength));
                long queryRows = (long)batch * queryLength;
                long keyRows = (long)batch * keyLength;
                global::Attend.Kernels.ArgumentChecks.Length(queries.Length, queryRows * QuerySize, nameof(queries), $"batch × queryLength × QuerySize = {batch} × {queryLength} × {QuerySize}");
                global::Attend.Kernels.ArgumentChecks.Length(keys.Length, keyRows * KeySize, nameof(keys), $"batch × keyLength × KeySize = {batch} × {keyLength} × {KeySize}");
                global::Attend.Kernels.ArgumentChecks.Length(values.Length, keyRows * ValueSize, nameof(values), $"batch × keyLength × ValueSize = {batch} × {keyLength} × {ValueSize}");
                global::Attend.Kernels.ArgumentChecks.Length(output.Length, queryRows * ValueSize, nameof(output), $"batch × queryLength × ValueSize = {batch} × {queryLength} × {ValueSize}");
                if (!validLengths.IsEmpty && validLengths.Length != batch && validLengths.Length != queryRows) throw new global::System.ArgumentException($"validLengths must hold batch = {batch} or batch × queryLength = {queryRows} lengths (d2l's valid_lens, 1-D or 2-D); it holds {validLengths.Length}.", nameof(validLengths));
                if (!keyPaddingMask.IsEmpty) global::Attend.Kernels.ArgumentChecks.Length(keyPaddingMask.Length, keyRows, nameof(keyPaddingMask), $"batch × keyLength = {batch} × {keyLength}");
                """);
            if (monotonic) w.Line("if (!positions.IsEmpty) global::Attend.Kernels.ArgumentChecks.Length(positions.Length, queryRows, nameof(positions), $\"batch × queryLength = {batch} × {queryLength}\");");
            w.Line("if (!attentionWeights.IsEmpty) global::Attend.Kernels.ArgumentChecks.Length(attentionWeights.Length, queryRows * keyLength, nameof(attentionWeights), $\"batch × queryLength × keyLength = {batch} × {queryLength} × {keyLength}\");");
            w.Line("if (!scores.IsEmpty) global::Attend.Kernels.ArgumentChecks.Length(scores.Length, queryRows * keyLength, nameof(scores), $\"batch × queryLength × keyLength = {batch} × {queryLength} × {keyLength}\");");
            w.Line();
            if (HasWeights(spec)) w.Line("LayerWeights weights = global::System.Threading.Volatile.Read(ref _weights); // one set for the whole pass");
            w.Line("global::Attend.KernelPath path = global::Attend.Kernels.KernelPaths.Resolve(Path);");
            w.Line("int threads = MaxDegreeOfParallelism;");

            // Scratch: what the score needs prepared, then local-p's predictor.
            var parts = new List<(string Name, string Length)>();
            switch (spec.Score)
            {
                case AttentionScore.Cosine:
                    parts.Add(("preparedQueries", "queryRows * QuerySize"));
                    parts.Add(("preparedKeys", "keyRows * QuerySize"));
                    break;
                case AttentionScore.General:
                    parts.Add(("preparedKeys", "keyRows * QuerySize"));
                    break;
                case AttentionScore.Additive:
                case AttentionScore.Mlp:
                    parts.Add(("preparedQueries", "queryRows * Hidden"));
                    parts.Add(("preparedKeys", "keyRows * Hidden"));
                    break;
            }

            if (Predictive(spec))
            {
                parts.Add(("positionHidden", "queryRows * PositionHidden"));
                parts.Add(("positionFractions", "queryRows"));
            }

            if (parts.Count == 0)
            {
                EmitRun(w, spec, "queries", "keys");
            }
            else
            {
                EmitPreparedRun(w, spec, parts);
            }
        }

        w.Line();
    }

    private static void EmitPreparedRun(SourceWriter w, ScoreAttentionSpec spec, List<(string Name, string Length)> parts)
    {
        w.Line($"long scratchLength = {string.Join(" + ", parts.ConvertAll(p => p.Length))};");
        w.Line("if (scratchLength > global::System.Array.MaxLength) throw new global::System.ArgumentException($\"batch × (queryLength + keyLength) is too large: the prepared rows need {scratchLength} floats, more than one array holds; split the batch.\", nameof(batch));");
        w.Line("float[] scratch = global::System.Buffers.ArrayPool<float>.Shared.Rent((int)scratchLength);");
        using (w.Block("try"))
        {
            string offset = "0";
            foreach ((string name, string length) in parts)
            {
                w.Line($"global::System.Span<float> {name} = global::System.MemoryExtensions.AsSpan(scratch, {offset}, (int)({length}));");
                offset = offset == "0" ? $"{name}.Length" : $"{offset} + {name}.Length";
            }

            switch (spec.Score)
            {
                case AttentionScore.Cosine:
                    w.Line("global::Attend.Kernels.ScoreAttention.NormalizeRows(queries, QuerySize, preparedQueries);");
                    w.Line("global::Attend.Kernels.ScoreAttention.NormalizeRows(keys, KeySize, preparedKeys);");
                    break;
                case AttentionScore.General:
                    w.Line("global::Attend.Kernels.ProjectionDriver.Forward(path, keys, (int)keyRows, KeySize, weights.PackedKeyWeight, default, KeySize, QuerySize, preparedKeys, QuerySize, threads);");
                    break;
                case AttentionScore.Additive:
                    w.Line("global::Attend.Kernels.ProjectionDriver.Forward(path, queries, (int)queryRows, QuerySize, weights.PackedQueryWeight, default, QuerySize, Hidden, preparedQueries, Hidden, threads);");
                    w.Line("global::Attend.Kernels.ProjectionDriver.Forward(path, keys, (int)keyRows, KeySize, weights.PackedKeyWeight, default, KeySize, Hidden, preparedKeys, Hidden, threads);");
                    break;
                case AttentionScore.Mlp:
                    w.Line("global::Attend.Kernels.ProjectionDriver.Forward(path, queries, (int)queryRows, QuerySize, weights.PackedQueryWeight, weights.QueryBias, QuerySize, Hidden, preparedQueries, Hidden, threads);");
                    w.Line("global::Attend.Kernels.ProjectionDriver.Forward(path, keys, (int)keyRows, KeySize, weights.PackedKeyWeight, default, KeySize, Hidden, preparedKeys, Hidden, threads);");
                    break;
            }

            if (Predictive(spec))
            {
                w.Lines("""
                    // local-p: the fraction sigmoid(v_pᵀ tanh(W_p q)) of the row's key range where its window is centred.
                    global::Attend.Kernels.ProjectionDriver.Forward(path, queries, (int)queryRows, QuerySize, weights.PackedPositionWeight, default, QuerySize, PositionHidden, positionHidden, PositionHidden, threads);
                    global::Attend.Kernels.ScoreAttention.PredictPositionFractions(positionHidden, weights.PositionVector, positionFractions);
                    """);
            }

            bool preparedQueries = parts.Exists(p => p.Name == "preparedQueries");
            bool preparedKeys = parts.Exists(p => p.Name == "preparedKeys");
            EmitRun(w, spec, preparedQueries ? "preparedQueries" : "queries", preparedKeys ? "preparedKeys" : "keys");
        }

        using (w.Block("finally"))
        {
            w.Line("global::System.Buffers.ArrayPool<float>.Shared.Return(scratch);");
        }
    }

    private static void EmitRun(SourceWriter w, ScoreAttentionSpec spec, string queries, string keys)
    {
        w.Line($"var problem = new global::Attend.Kernels.ScoreAttentionProblem");
        using (w.Block("", ";"))
        {
            w.Lines("""
                Path = path,
                Batch = batch,
                QueryLength = queryLength,
                KeyLength = keyLength,
                """);
            w.Line($"Queries = {queries},");
            w.Line($"Keys = {keys},");
            w.Line("Values = values,");
            if (spec.IsAdditive) w.Line("ScoreWeights = weights.ScoreWeights,");
            w.Lines("""
                Output = output,
                ValidLengths = validLengths,
                KeyPaddingMask = keyPaddingMask,
                """);
            w.Line($"Selection = global::Attend.AttentionSelection.{(AttentionSelection)spec.Selection},");
            if (spec.Selection == (int)AttentionSelection.TopK) w.Line("TopK = TopK,");
            w.Line($"Local = global::Attend.LocalAttention.{(LocalAttention)spec.Local},");
            if (spec.Local != 0) w.Line("Window = Window,");
            if (spec.Local == 1) w.Line("Positions = positions,");
            if (Predictive(spec)) w.Line("PositionFractions = positionFractions,");
            w.Lines("""
                AttentionWeights = attentionWeights,
                Scores = scores,
                MaxDegreeOfParallelism = threads,
                """);
        }

        w.Line($"global::Attend.Kernels.ScoreAttention.Run<{ScoreKernelsEmitter.StructName}>(in problem);");
    }
}
