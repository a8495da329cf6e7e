using static Attend.Generators.Emit.RowKernelText;
using static Attend.Generators.Emit.VectorCode;

namespace Attend.Generators.Emit;

/// <summary>Writes an <c>[AttentionPooling]</c> class: learned attention pooling of a sequence into one vector.</summary>
internal static class AttentionPoolingEmitter
{
    private const string KernelsName = "PoolingRowKernels";

    public static string Emit(AttentionPoolingPlan plan) => Emit(plan.Spec, plan);

    private static string Emit(AttentionPoolingSpec spec, AttentionPoolingPlan plan) =>
        TypeShellEmitter.Emit(
            spec.Identity,
            spec.LearnedQuery
                ? $"Attention pooling of [batch, length, {spec.Features}] sequences into one vector each, scored against a learned query."
                : $"Attention pooling of [batch, length, {spec.Features}] sequences into one vector each, with additive scores vᵀ tanh(W h + b) through {spec.HiddenDim} hidden units.",
            Remarks(spec, plan),
            w =>
            {
                EmitMembers(w, spec);
                EmitLoadWeights(w, spec);
                EmitForward(w, spec);
                EmitKernels(w, spec, plan);
            });

    /// <summary>The width the score kernel dots: the hidden layer for additive scores, the features for a learned query.</summary>
    private static int ScoreWidth(AttentionPoolingSpec spec) => spec.LearnedQuery ? spec.Features : spec.HiddenDim;

    private static string[] Remarks(AttentionPoolingSpec spec, AttentionPoolingPlan plan)
    {
        var remarks = new List<string>
        {
            $"Specialized at compile time: Features = {spec.Features}" + (spec.LearnedQuery
                ? ", score = qᵀ h_t with the learned query q."
                : $", HiddenDim = {spec.HiddenDim}, score = vᵀ tanh(W h_t{(spec.Bias ? " + b" : "")})."),
            spec.LearnedQuery
                ? "Each position's score is one dot product with the query, which stays in registers across positions."
                : "W h + b runs for every position of every sequence at once through the packed projection kernel; tanh follows in one pass; each score is then one dot product with v, held in registers.",
            "global::Attend.Kernels.Softmax over each sequence subtracts the maximum; padded positions (keyPaddingMask true) get no weight; a sequence with every position padded pools to zeros, never NaN.",
            "The output is Σ_t α_t h_t, accumulated in registers over the positions: the pooled vector has the input's width, so layers stack (word → sentence → document).",
        };
        foreach ((string path, int width) in Paths)
        {
            IReadOnlyList<RowSegment> score = plan.Scored.On(path).AsImmutableArray();
            IReadOnlyList<RowSegment> features = plan.Pooled.On(path).AsImmutableArray();
            remarks.Add($"{path}: the scored row is {Layout(score)}; the pooled row is {Layout(features)}.");
        }

        return remarks.ToArray();
    }

    private static void EmitMembers(SourceWriter w, AttentionPoolingSpec spec)
    {
        w.Line("/// <summary>Features per position and of the pooled vector.</summary>");
        w.Line($"public const int Features = {spec.Features};");
        w.Line();
        if (!spec.LearnedQuery)
        {
            w.Line("/// <summary>Hidden units of the additive score.</summary>");
            w.Line($"public const int HiddenDim = {spec.HiddenDim};");
            w.Line();
        }

        w.Lines("""
            // The weights in use. LoadWeights reads a whole new set, then publishes it with one reference write, so a
            // Forward running meanwhile computes with the old set or the new one, never a mix of the two.
            private LayerWeights _weights = new LayerWeights();
            """);
        w.Line();
        w.Line(spec.LearnedQuery
            ? "// One complete set of weights; never written once published."
            : "// W is packed once, at load time, into the panel layout the projection kernel streams; never written once published.");
        using (w.Block("private sealed class LayerWeights"))
        {
            if (!spec.LearnedQuery)
            {
                w.Line("public readonly float[] PackedProjection = new float[global::Attend.Kernels.LinearKernels.PackedLength(Features, HiddenDim)];");
                if (spec.Bias) w.Line("public readonly float[] ProjectionBias = new float[HiddenDim];");
                w.Line("public readonly float[] Context = new float[HiddenDim];");
            }
            else
            {
                w.Line("public readonly float[] Query = new float[Features];");
            }
        }

        w.Line();
        LayerMembers.ZeroWeightsConstructor(w, spec.Identity.Type.Name);
        LayerMembers.PathProperty(w, attributed: false);
        LayerMembers.ThreadsProperty(w, "Most threads the projection uses; 1 runs on the caller's thread. Results are identical whatever the value.", attributed: false);
    }

    private static void EmitLoadWeights(SourceWriter w, AttentionPoolingSpec spec)
    {
        w.Line("/// <summary>");
        w.Line(spec.LearnedQuery
            ? "/// Loads the <c>state_dict</c>: <c>query</c> [Features]."
            : "/// Loads the <c>state_dict</c>: <c>proj.weight</c> [HiddenDim, Features]" + (spec.Bias ? ", <c>proj.bias</c> [HiddenDim]" : "") + ", <c>context.weight</c> [1, HiddenDim].");
        w.Lines("""
            /// Every tensor is read and checked before any is applied, so a failed load leaves the layer unchanged.
            /// Safe while <see cref="Forward"/> runs on other threads: the new weights replace the old all at once,
            /// and a forward pass already running finishes with the weights it started with.
            /// </summary>
            """);
        using (LayerMembers.OpenLoadWeights(w, "The tensors, e.g. <c>SafeTensors.Open(\"han.safetensors\")</c>; others it holds are ignored.", "Prepended to every name, e.g. <c>\"word_attention.\"</c>."))
        {
            if (spec.LearnedQuery)
            {
                w.Line("float[] query = global::Attend.Kernels.WeightLoading.Read(source, prefix, \"query\", Features);");
                w.Line();
                w.Line("var next = new LayerWeights();");
                w.Line("query.CopyTo(next.Query, 0);");
            }
            else
            {
                w.Line("float[] weight = global::Attend.Kernels.WeightLoading.Read(source, prefix, \"proj.weight\", HiddenDim, Features);");
                if (spec.Bias) w.Line("float[] bias = global::Attend.Kernels.WeightLoading.Read(source, prefix, \"proj.bias\", HiddenDim);");
                w.Line("float[] context = global::Attend.Kernels.WeightLoading.Read(source, prefix, \"context.weight\", 1, HiddenDim);");
                w.Line();
                w.Line("var next = new LayerWeights();");
                w.Line("global::Attend.Kernels.LinearKernels.Pack(weight, Features, HiddenDim, next.PackedProjection);");
                if (spec.Bias) w.Line("bias.CopyTo(next.ProjectionBias, 0);");
                w.Line("context.CopyTo(next.Context, 0);");
            }

            w.Line("global::System.Threading.Volatile.Write(ref _weights, next);");
        }

        w.Line();
    }

    private static void EmitForward(SourceWriter w, AttentionPoolingSpec spec)
    {
        w.Lines("""
            /// <summary>
            /// Pools each sequence into one vector: <c>α = softmax_t(score(h_t))</c> over its unpadded positions, <c>y = Σ_t α_t h_t</c>.
            /// May be called from many threads at once, also while <see cref="LoadWeights"/> runs: the pass reads the weights once.
            /// </summary>
            """);
        LayerMembers.Params(w, ("input", "Sequences <c>[batch, length, Features]</c>, row-major."), ("output", "Receives <c>[batch, Features]</c>."), ("batch", "Number of sequences."), ("length", "Positions per sequence."), ("keyPaddingMask", "Optional <c>[batch, length]</c>, true = padded (PyTorch's polarity)."), ("attentionWeights", "Optional; receives <c>[batch, length]</c>."));
        using (LayerMembers.OpenChecked(w, "public void Forward(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int batch, int length, global::System.ReadOnlySpan<bool> keyPaddingMask = default, global::System.Span<float> attentionWeights = default)", "A length does not match; thrown before anything is written."))
        {
            w.Lines("""
                global::Attend.Kernels.ArgumentChecks.Positive(batch, nameof(batch));
                global::Attend.Kernels.ArgumentChecks.Positive(length, nameof(length));
                global::Attend.Kernels.ArgumentChecks.Length(input.Length, (long)batch * length * Features, nameof(input), $"batch × length × Features = {batch} × {length} × {Features}");
                global::Attend.Kernels.ArgumentChecks.Length(output.Length, (long)batch * Features, nameof(output), $"batch × Features = {batch} × {Features}");
                if (!keyPaddingMask.IsEmpty) global::Attend.Kernels.ArgumentChecks.Length(keyPaddingMask.Length, (long)batch * length, nameof(keyPaddingMask), $"batch × length = {batch} × {length}");
                if (!attentionWeights.IsEmpty) global::Attend.Kernels.ArgumentChecks.Length(attentionWeights.Length, (long)batch * length, nameof(attentionWeights), $"batch × length = {batch} × {length}");
                LayerWeights weights = global::System.Threading.Volatile.Read(ref _weights); // one set for the whole pass
                global::Attend.KernelPath path = global::Attend.Kernels.KernelPaths.Resolve(Path);
                int rows = batch * length; // fits: input.Length was checked above
                """);
            if (!spec.LearnedQuery)
            {
                w.Lines("""
                    long hiddenLength = (long)rows * HiddenDim;
                    if (hiddenLength > global::System.Array.MaxLength) throw new global::System.ArgumentException($"batch × length × HiddenDim = {hiddenLength} floats, more than one array holds; split the batch.", nameof(batch));
                    float[] scratch = global::System.Buffers.ArrayPool<float>.Shared.Rent((int)hiddenLength + length);
                    """);
            }
            else
            {
                w.Line("float[] scratch = global::System.Buffers.ArrayPool<float>.Shared.Rent(length);");
            }

            using (w.Block("try"))
            {
                if (!spec.LearnedQuery)
                {
                    w.Line("// tanh(W h + b) for every position of every sequence: [batch · length, HiddenDim].");
                    w.Line("global::System.Span<float> hidden = global::System.MemoryExtensions.AsSpan(scratch, 0, rows * HiddenDim);");
                    w.Line($"global::Attend.Kernels.ProjectionDriver.Forward(path, input, rows, Features, weights.PackedProjection, {(spec.Bias ? "weights.ProjectionBias" : "default")}, Features, HiddenDim, hidden, HiddenDim, MaxDegreeOfParallelism);");
                    w.Line("global::Attend.Kernels.PoolingKernels.Tanh(path, hidden);");
                }

                string scoreStart = spec.LearnedQuery ? "0" : "rows * HiddenDim";
                using (w.Block("for (int b = 0; b < batch; b++)"))
                {
                    w.Line($"global::System.Span<float> scores = attentionWeights.IsEmpty ? global::System.MemoryExtensions.AsSpan(scratch, {scoreStart}, length) : attentionWeights.Slice(b * length, length);");
                    w.Line("global::System.ReadOnlySpan<float> sequence = input.Slice(b * length * Features, length * Features);");
                    w.Line(spec.LearnedQuery
                        ? $"{KernelsName}.Scores(path, sequence, weights.Query, scores);"
                        : $"{KernelsName}.Scores(path, hidden.Slice(b * length * HiddenDim, length * HiddenDim), weights.Context, scores);");
                    w.Line("if (!keyPaddingMask.IsEmpty) global::Attend.Kernels.PoolingKernels.MaskPadded(scores, keyPaddingMask.Slice(b * length, length));");
                    w.Line("global::System.Span<float> pooled = output.Slice(b * Features, Features);");
                    w.Line($"if (global::Attend.Kernels.SoftmaxKernels.SoftmaxInPlace(scores)) {KernelsName}.WeightedSum(path, scores, sequence, pooled);");
                    w.Line("else pooled.Clear();");
                }
            }

            using (w.Block("finally"))
            {
                w.Line("global::System.Buffers.ArrayPool<float>.Shared.Return(scratch);");
            }
        }

        w.Line();
    }

    private static string ScoresName(AttentionPoolingSpec spec, string path) => $"Scores_{(spec.LearnedQuery ? "F" : "A")}{ScoreWidth(spec)}_{Short(path)}";

    private static string SumName(AttentionPoolingSpec spec, string path) => $"WeightedSum_F{spec.Features}_{Short(path)}";

    private static void EmitKernels(SourceWriter w, AttentionPoolingSpec spec, AttentionPoolingPlan plan)
    {
        w.Line($"/// <summary>Pooling loops for a scored row of {ScoreWidth(spec)} and a pooled row of {spec.Features}: one method per instruction set.</summary>");
        w.Line(GeneratedCode.Attribute);
        using (w.Block($"private static class {KernelsName}"))
        {
            w.Line($"private const int S = {ScoreWidth(spec)};");
            w.Line($"private const int F = {spec.Features};");
            w.Line();
            w.Line("/// <summary><c>scores[t] = Σ_c rows[t · S + c] · vector[c]</c> for <c>scores.Length</c> rows.</summary>");
            using (w.Block("public static void Scores(global::Attend.KernelPath path, global::System.ReadOnlySpan<float> rows, global::System.ReadOnlySpan<float> vector, global::System.Span<float> scores)"))
            {
                Dispatch(w, p => ScoresName(spec, p), "rows, vector, scores");
            }

            w.Line();
            w.Line("/// <summary><c>output = Σ_t weights[t] · sequence[t]</c> over rows of F.</summary>");
            using (w.Block("public static void WeightedSum(global::Attend.KernelPath path, global::System.ReadOnlySpan<float> weights, global::System.ReadOnlySpan<float> sequence, global::System.Span<float> output)"))
            {
                Dispatch(w, p => SumName(spec, p), "weights, sequence, output");
            }

            w.Line();
            w.Line("// Scalar: the reference every vector path is tested against, and the path on machines without SIMD.");
            using (w.Block($"private static void {ScoresName(spec, "Scalar")}(global::System.ReadOnlySpan<float> rows, global::System.ReadOnlySpan<float> vector, global::System.Span<float> scores)"))
            {
                using (w.Block("for (int t = 0; t < scores.Length; t++)"))
                {
                    w.Lines("""
                        global::System.ReadOnlySpan<float> row = rows.Slice(t * S, S);
                        float sum = 0f;
                        for (int c = 0; c < S; c++) sum += row[c] * vector[c];
                        scores[t] = sum;
                        """);
                }
            }

            w.Line();
            using (w.Block($"private static void {SumName(spec, "Scalar")}(global::System.ReadOnlySpan<float> weights, global::System.ReadOnlySpan<float> sequence, global::System.Span<float> output)"))
            {
                w.Line("global::System.Span<float> o = output.Slice(0, F);");
                w.Line("o.Clear();");
                using (w.Block("for (int t = 0; t < weights.Length; t++)"))
                {
                    w.Lines("""
                        global::System.ReadOnlySpan<float> row = sequence.Slice(t * F, F);
                        float weight = weights[t];
                        for (int c = 0; c < F; c++) o[c] += weight * row[c];
                        """);
                }
            }

            w.Line();
            foreach ((string path, int width) in Paths)
            {
                EmitScores(w, spec, path, plan.Scored.On(path).AsImmutableArray());
                EmitWeightedSum(w, spec, path, plan.Pooled.On(path).AsImmutableArray());
            }
        }
    }

    private static void EmitScores(SourceWriter w, AttentionPoolingSpec spec, string path, IReadOnlyList<RowSegment> segments)
    {
        bool held = RegisterCount(segments) <= MaxAccumulatorRegisters;
        w.Line($"// {path}: S = {Layout(segments)}; " + (held ? "the scoring vector stays in registers across positions." : "the scoring vector is reloaded from L1 per position (holding it would spill)."));
        using (w.Block($"private static void {ScoresName(spec, path)}(global::System.ReadOnlySpan<float> rows, global::System.ReadOnlySpan<float> vector, global::System.Span<float> scores)"))
        {
            VectorCode.References(w, ("x", "rows"), ("v", "vector"), ("s", "scores"));
            if (held)
            {
                foreach (RowSegment segment in segments) w.Line($"{TypeOf(segment.Width)} v{segment.Offset} = {Load(segment, "v")};");
            }

            using (w.Block("for (int t = 0; t < scores.Length; t++)"))
            {
                w.Line("ref float row = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref x, t * S);");
                string sum = Dot(w, segments, "sum", seg => Load(seg, "row"), seg => held ? $"v{seg.Offset}" : Load(seg, "v"));
                w.Line($"global::System.Runtime.CompilerServices.Unsafe.Add(ref s, t) = {sum};");
            }
        }

        w.Line();
    }

    private static void EmitWeightedSum(SourceWriter w, AttentionPoolingSpec spec, string path, IReadOnlyList<RowSegment> segments)
    {
        int blocks = Blocks(segments).Count;
        w.Line($"// {path}: F = {Layout(segments)}; " + (blocks == 1
            ? "the pooled row stays in registers over the sequence and is stored once."
            : $"{blocks} column blocks of at most {MaxAccumulatorRegisters} registers, each streaming the sequence once."));
        using (w.Block($"private static void {SumName(spec, path)}(global::System.ReadOnlySpan<float> weights, global::System.ReadOnlySpan<float> sequence, global::System.Span<float> output)"))
        {
            VectorCode.References(w, ("p", "weights"), ("x", "sequence"), ("o", "output"));
            WeightedRows(w, segments, "for (int t = 0; t < weights.Length; t++)", "ref float row = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref x, t * F);", "float weight = global::System.Runtime.CompilerServices.Unsafe.Add(ref p, t);", "o");
        }

        w.Line();
    }
}
