using static Attend.Generators.Emit.RowKernelText;
using static Attend.Generators.Emit.VectorCode;

namespace Attend.Generators.Emit;

/// <summary>Writes a <c>[NadarayaWatson]</c> class: Gaussian-kernel attention pooling with constant feature sizes.</summary>
internal static class NadarayaWatsonEmitter
{
    private const string KernelsName = "KernelRegressionKernels";

    public static string Emit(NadarayaWatsonPlan plan) => Emit(plan.Spec, plan);

    private static string Emit(NadarayaWatsonSpec spec, NadarayaWatsonPlan plan) =>
        TypeShellEmitter.Emit(
            spec.Identity,
            $"Nadaraya–Watson kernel regression (Gaussian kernel, {(spec.LearnableWidth ? "learnable width w" : $"bandwidth σ = {Literals.Float(spec.Bandwidth)}")}): attention pooling of values by query–key distance.",
            Remarks(spec),
            w =>
            {
                EmitMembers(w, spec);
                EmitForward(w, spec);
                EmitKernels(w, spec, plan);
            });

    private static bool UnitWidth(NadarayaWatsonSpec spec) => !spec.LearnableWidth && spec.Bandwidth == 1f;

    private static string[] Remarks(NadarayaWatsonSpec spec)
    {
        var remarks = new List<string>
        {
            $"Specialized at compile time: Dim = {spec.Dim}, ValueDim = {spec.ValueDim}, " + (spec.LearnableWidth
                ? "width w learned (LoadWeights reads 'w' [1], as d2l's NWKernelRegression)."
                : UnitWidth(spec) ? "bandwidth σ = 1: the distance is used as is (d2l's non-parametric kernel), no multiply." : $"bandwidth σ = {Literals.Float(spec.Bandwidth)}: distances are multiplied by the constant 1/σ."),
            "α_ij = softmax_j(−((q_i − k_j)·w)² / 2) with the row maximum subtracted, then y_i = Σ_j α_ij v_j; keys are shared by every query.",
            spec.Dim == 1
                ? "Dim = 1: each score kernel runs across keys, one vector of keys per step, with a scalar tail for the last keys."
                : $"Dim = {spec.Dim}: the query row is held in registers and each key row costs one pass.",
            spec.ValueDim == 1
                ? "ValueDim = 1: the weighted sum is a dot product of the weights and the values, vectorized across keys."
                : $"ValueDim = {spec.ValueDim}: the output row is accumulated in registers over the value rows.",
            "Runs on the calling thread: the work is queries × keys scalar distances, small next to a projection.",
        };
        return remarks.ToArray();
    }

    private static void EmitMembers(SourceWriter w, NadarayaWatsonSpec spec)
    {
        w.Line("/// <summary>Features per query and key.</summary>");
        w.Line($"public const int Dim = {spec.Dim};");
        w.Line();
        w.Line("/// <summary>Features per value and output row.</summary>");
        w.Line($"public const int ValueDim = {spec.ValueDim};");
        w.Line();
        if (spec.LearnableWidth)
        {
            w.Line("// The one learned weight: LoadWeights replaces it with one write, and Forward reads it once per pass.");
            w.Line("private float _width = 1f;");
            w.Line();
            w.Line("/// <summary>The kernel width w (scores are <c>−((q − k)·w)² / 2</c>); 1 until <see cref=\"LoadWeights\"/> runs.</summary>");
            w.Line("public float Width => global::System.Threading.Volatile.Read(ref _width);");
            w.Line();
            w.Lines("""
                /// <summary>
                /// Loads d2l's <c>NWKernelRegression</c> <c>state_dict</c>: <c>w</c> [1]. Checked before it is applied, so a failed load leaves the layer unchanged.
                /// Safe while <see cref="Forward"/> runs on other threads: a forward pass already running finishes with the width it started with.
                /// </summary>
                """);
            using (LayerMembers.OpenLoadWeights(w, "The tensors, e.g. <c>SafeTensors.Open(\"nw.safetensors\")</c>.", "Prepended to the name.", "The tensor is missing.", "The tensor has the wrong shape."))
            {
                w.Line("float width = global::Attend.Kernels.WeightLoading.Read(source, prefix, \"w\", 1)[0];");
                w.Line("global::System.Threading.Volatile.Write(ref _width, width);");
            }

            w.Line();
        }
        else if (!UnitWidth(spec))
        {
            w.Line($"private const float Width = 1f / {Literals.Float(spec.Bandwidth)};");
            w.Line();
        }

        LayerMembers.PathProperty(w, attributed: false);
    }

    private static string WidthArgument(NadarayaWatsonSpec spec) => spec.LearnableWidth ? "width" : UnitWidth(spec) ? "1f" : "Width";

    private static void EmitForward(SourceWriter w, NadarayaWatsonSpec spec)
    {
        w.Line("/// <summary>");
        w.Line("/// Pools <paramref name=\"values\"/> for every query: <c>α_ij = softmax_j(−((q_i − k_j)·w)² / 2)</c>, <c>y_i = Σ_j α_ij v_j</c>.");
        w.Line(spec.LearnableWidth
            ? "/// May be called from many threads at once, also while <see cref=\"LoadWeights\"/> runs: the pass reads the width once."
            : "/// May be called from many threads at once.");
        w.Line("/// </summary>");
        LayerMembers.Params(w, ("queries", "<c>[queryCount, Dim]</c>."), ("keys", "<c>[keyCount, Dim]</c>, shared by every query."), ("values", "<c>[keyCount, ValueDim]</c>."), ("output", "Receives <c>[queryCount, ValueDim]</c>."), ("queryCount", "Number of queries."), ("keyCount", "Number of key–value pairs."), ("attentionWeights", "Optional; receives <c>[queryCount, keyCount]</c>."));
        using (LayerMembers.OpenChecked(w, "public void Forward(global::System.ReadOnlySpan<float> queries, global::System.ReadOnlySpan<float> keys, global::System.ReadOnlySpan<float> values, global::System.Span<float> output, int queryCount, int keyCount, global::System.Span<float> attentionWeights = default)", "A length does not match; thrown before anything is written."))
        {
            w.Lines("""
                global::Attend.Kernels.ArgumentChecks.Positive(queryCount, nameof(queryCount));
                global::Attend.Kernels.ArgumentChecks.Positive(keyCount, nameof(keyCount));
                global::Attend.Kernels.ArgumentChecks.Length(queries.Length, (long)queryCount * Dim, nameof(queries), $"queryCount × Dim = {queryCount} × {Dim}");
                global::Attend.Kernels.ArgumentChecks.Length(keys.Length, (long)keyCount * Dim, nameof(keys), $"keyCount × Dim = {keyCount} × {Dim}");
                global::Attend.Kernels.ArgumentChecks.Length(values.Length, (long)keyCount * ValueDim, nameof(values), $"keyCount × ValueDim = {keyCount} × {ValueDim}");
                global::Attend.Kernels.ArgumentChecks.Length(output.Length, (long)queryCount * ValueDim, nameof(output), $"queryCount × ValueDim = {queryCount} × {ValueDim}");
                if (!attentionWeights.IsEmpty) global::Attend.Kernels.ArgumentChecks.Length(attentionWeights.Length, (long)queryCount * keyCount, nameof(attentionWeights), $"queryCount × keyCount = {queryCount} × {keyCount}");
                """);
            if (spec.LearnableWidth) w.Line("float width = global::System.Threading.Volatile.Read(ref _width); // one width for the whole pass");
            w.Line("global::Attend.KernelPath path = global::Attend.Kernels.KernelPaths.Resolve(Path);");
            w.Line("float[]? scratch = attentionWeights.IsEmpty ? global::System.Buffers.ArrayPool<float>.Shared.Rent(keyCount) : null;");
            using (w.Block("try"))
            {
                using (w.Block("for (int i = 0; i < queryCount; i++)"))
                {
                    w.Line("global::System.Span<float> scores = scratch is null ? attentionWeights.Slice(i * keyCount, keyCount) : global::System.MemoryExtensions.AsSpan(scratch, 0, keyCount);");
                    w.Line($"{KernelsName}.Scores(path, queries.Slice(i * Dim, Dim), keys, {WidthArgument(spec)}, scores);");
                    w.Line("global::Attend.Kernels.SoftmaxKernels.SoftmaxInPlace(scores);");
                    w.Line($"{KernelsName}.WeightedValues(path, scores, values, output.Slice(i * ValueDim, ValueDim));");
                }
            }

            using (w.Block("finally"))
            {
                w.Line("if (scratch is not null) global::System.Buffers.ArrayPool<float>.Shared.Return(scratch);");
            }
        }

        w.Line();
    }

    private static string ScoresName(NadarayaWatsonSpec spec, string path) => $"Scores_D{spec.Dim}_{Short(path)}";

    private static string ValuesName(NadarayaWatsonSpec spec, string path) => $"WeightedValues_Dv{spec.ValueDim}_{Short(path)}";

    private static void EmitKernels(SourceWriter w, NadarayaWatsonSpec spec, NadarayaWatsonPlan plan)
    {
        w.Line($"/// <summary>Kernel regression loops for Dim = {spec.Dim}, ValueDim = {spec.ValueDim}: one method per instruction set.</summary>");
        w.Line(GeneratedCode.Attribute);
        using (w.Block($"private static class {KernelsName}"))
        {
            w.Line($"private const int D = {spec.Dim};");
            w.Line($"private const int Dv = {spec.ValueDim};");
            w.Line();
            w.Line("/// <summary><c>scores[j] = −((query − keys[j])·width)² / 2</c>, summed over D features; <c>scores.Length</c> keys.</summary>");
            using (w.Block("public static void Scores(global::Attend.KernelPath path, global::System.ReadOnlySpan<float> query, global::System.ReadOnlySpan<float> keys, float width, global::System.Span<float> scores)"))
            {
                Dispatch(w, p => ScoresName(spec, p), "query, keys, width, scores");
            }

            w.Line();
            w.Line("/// <summary><c>output = Σ_j weights[j] · values[j]</c> over <c>weights.Length</c> rows of Dv.</summary>");
            using (w.Block("public static void WeightedValues(global::Attend.KernelPath path, global::System.ReadOnlySpan<float> weights, global::System.ReadOnlySpan<float> values, global::System.Span<float> output)"))
            {
                Dispatch(w, p => ValuesName(spec, p), "weights, values, output");
            }

            w.Line();
            EmitScalar(w, spec);
            foreach ((string path, int width) in Paths)
            {
                EmitScores(w, spec, plan, path, width);
                EmitWeightedValues(w, spec, plan, path, width);
            }
        }
    }

    private static string Scaled(NadarayaWatsonSpec spec, string difference, string width) => UnitWidth(spec) ? difference : $"({difference}) * {width}";

    private static void EmitScalar(SourceWriter w, NadarayaWatsonSpec spec)
    {
        w.Line("// Scalar: the reference every vector path is tested against, and the path on machines without SIMD.");
        using (w.Block($"private static void {ScoresName(spec, "Scalar")}(global::System.ReadOnlySpan<float> query, global::System.ReadOnlySpan<float> keys, float width, global::System.Span<float> scores)"))
        {
            using (w.Block("for (int j = 0; j < scores.Length; j++)"))
            {
                w.Line("float sum = 0f;");
                using (w.Block("for (int d = 0; d < D; d++)"))
                {
                    w.Line($"float distance = {Scaled(spec, "query[d] - keys[j * D + d]", "width")};");
                    w.Line("sum += distance * distance;");
                }

                w.Line("scores[j] = -0.5f * sum;");
            }
        }

        w.Line();
        using (w.Block($"private static void {ValuesName(spec, "Scalar")}(global::System.ReadOnlySpan<float> weights, global::System.ReadOnlySpan<float> values, global::System.Span<float> output)"))
        {
            w.Line("global::System.Span<float> o = output.Slice(0, Dv);");
            w.Line("o.Clear();");
            using (w.Block("for (int j = 0; j < weights.Length; j++)"))
            {
                w.Line("for (int d = 0; d < Dv; d++) o[d] += weights[j] * values[j * Dv + d];");
            }
        }

        w.Line();
    }

    private static void EmitScores(SourceWriter w, NadarayaWatsonSpec spec, NadarayaWatsonPlan plan, string path, int width)
    {
        string type = TypeOf(width);
        using (w.Block($"private static void {ScoresName(spec, path)}(global::System.ReadOnlySpan<float> query, global::System.ReadOnlySpan<float> keys, float width, global::System.Span<float> scores)"))
        {
            VectorCode.References(w, ("k", "keys"), ("s", "scores"));
            if (spec.Dim == 1)
            {
                w.Line("float q = query[0];");
                w.Line("int count = scores.Length;");
                w.Line($"{type} queries = {Broadcast(width, "q")};");
                if (!UnitWidth(spec)) w.Line($"{type} widths = {Broadcast(width, "width")};");
                w.Line($"{type} minusHalf = {Broadcast(width, "-0.5f")};");
                w.Line("int j = 0;");
                using (w.Block($"for (; j <= count - {width}; j += {width})"))
                {
                    w.Line($"{type} distance = {Scaled(spec, $"queries - {LoadAt(width, "k", "(nuint)j", 0)}", "widths")};");
                    w.Line(VectorCode.Store(width, "distance * distance * minusHalf", "ref s, (nuint)j") + ";");
                }

                using (w.Block("for (; j < count; j++)"))
                {
                    w.Line($"float distance = {Scaled(spec, "q - global::System.Runtime.CompilerServices.Unsafe.Add(ref k, j)", "width")};");
                    w.Line("global::System.Runtime.CompilerServices.Unsafe.Add(ref s, j) = -0.5f * distance * distance;");
                }
            }
            else
            {
                IReadOnlyList<RowSegment> segments = plan.Keys.On(path).AsImmutableArray();
                w.Line($"// D = {Layout(segments)}; the query row stays in registers across keys.");
                VectorCode.References(w, ("q", "query"));
                foreach (int bits in new[] { 16, 8, 4 })
                {
                    bool used = false;
                    foreach (RowSegment segment in segments) used |= segment.Width == bits;
                    if (used && !UnitWidth(spec)) w.Line($"{TypeOf(bits)} width{bits * 32} = {Broadcast(bits, "width")};");
                }

                foreach (RowSegment segment in segments) w.Line($"{TypeOf(segment.Width)} q{segment.Offset} = {Load(segment, "q")};");
                using (w.Block("for (int j = 0; j < scores.Length; j++)"))
                {
                    w.Line("ref float key = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref k, j * D);");
                    foreach (RowSegment segment in segments)
                    {
                        string widthName = segment.Width == 1 ? "width" : $"width{segment.Width * 32}";
                        w.Line($"{TypeOf(segment.Width)} d{segment.Offset} = {Scaled(spec, $"q{segment.Offset} - {Load(segment, "key")}", widthName)};");
                    }

                    string sum = Dot(w, segments, "sum", s => $"d{s.Offset}", s => $"d{s.Offset}");
                    w.Line($"global::System.Runtime.CompilerServices.Unsafe.Add(ref s, j) = -0.5f * {sum};");
                }
            }
        }

        w.Line();
    }

    private static void EmitWeightedValues(SourceWriter w, NadarayaWatsonSpec spec, NadarayaWatsonPlan plan, string path, int width)
    {
        using (w.Block($"private static void {ValuesName(spec, path)}(global::System.ReadOnlySpan<float> weights, global::System.ReadOnlySpan<float> values, global::System.Span<float> output)"))
        {
            VectorCode.References(w, ("p", "weights"), ("v", "values"));
            if (spec.ValueDim == 1)
            {
                w.Line("int count = weights.Length;");
                w.Line($"{TypeOf(width)} acc = {TypeOf(width)}.Zero;");
                w.Line("int j = 0;");
                w.Line($"for (; j <= count - {width}; j += {width}) acc = {MultiplyAdd(width, LoadAt(width, "p", "(nuint)j", 0), LoadAt(width, "v", "(nuint)j", 0), "acc")};");
                w.Line($"float sum = {LaneSum(width, "acc")};");
                w.Line("for (; j < count; j++) sum += global::System.Runtime.CompilerServices.Unsafe.Add(ref p, j) * global::System.Runtime.CompilerServices.Unsafe.Add(ref v, j);");
                w.Line("output[0] = sum;");
            }
            else
            {
                IReadOnlyList<RowSegment> segments = plan.Values.On(path).AsImmutableArray();
                w.Line($"// Dv = {Layout(segments)}.");
                VectorCode.References(w, ("o", "output"));
                WeightedRows(w, segments, "for (int j = 0; j < weights.Length; j++)", "ref float row = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref v, j * Dv);", "float weight = global::System.Runtime.CompilerServices.Unsafe.Add(ref p, j);", "o");
            }
        }

        w.Line();
    }
}
