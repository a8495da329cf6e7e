using static Attend.Generators.Emit.VectorCode;

namespace Attend.Generators.Emit;

/// <summary>
/// Writes the <c>ScoreKernels</c> struct of an <c>[Attention]</c> layer: its score function over prepared rows and the
/// weighted sum of values, each once per instruction set with the row widths constant.
/// </summary>
internal static class ScoreKernelsEmitter
{
    public const string StructName = "ScoreKernels";

    private const int MaxAccumulators = ScoreAttentionPlanner.MaxAccumulators;

    public static void Emit(SourceWriter w, ScoreAttentionPlan plan)
    {
        ScoreAttentionSpec spec = plan.Spec;
        int width = plan.PreparedWidth;
        bool additive = plan.Additive;
        string scoresName = additive ? $"{(spec.Score == AttentionScore.Mlp ? "Mlp" : "Additive")}Scores_H{width}" : $"Scores_D{width}";
        string weightedSumName = $"WeightedSum_Dv{spec.ValueSize}";

        w.Line($"/// <summary>Score and weighted-sum loops for {(additive ? $"Hidden = {width}" : $"D = {width}")}, Dv = {spec.ValueSize}: one method per instruction set, sizes constant.</summary>");
        w.Line(GeneratedCode.Attribute);
        using (w.Block($"private readonly struct {StructName} : global::Attend.Kernels.IScoreAttentionKernels"))
        {
            w.Line($"public static int QueryWidth => {width};");
            w.Line();
            w.Line($"public static int KeyWidth => {width};");
            w.Line();
            w.Line($"public static int ValueSize => {spec.ValueSize};");
            w.Line();
            string scoreMethod(int pathWidth) => MethodOn(scoresName, plan.ScoreDispatch, pathWidth);
            using (w.Block("public static void Scores(global::Attend.KernelPath path, global::System.ReadOnlySpan<float> query, global::System.ReadOnlySpan<float> keys, int count, global::System.ReadOnlySpan<float> scoreWeights, global::System.Span<float> scores)"))
            {
                EmitDispatch(w, scoreMethod, additive ? "query, keys, count, scoreWeights, scores" : "query, keys, count, scores");
            }

            w.Line();
            string sumMethod(int pathWidth) => MethodOn(weightedSumName, plan.SumDispatch, pathWidth);
            using (w.Block("public static void WeightedSum(global::Attend.KernelPath path, global::System.ReadOnlySpan<float> weights, global::System.ReadOnlySpan<float> values, int valueStride, int count, global::System.Span<float> output)"))
            {
                EmitDispatch(w, sumMethod, "weights, values, valueStride, count, output");
            }

            w.Line();
            if (additive) EmitAdditiveScores(w, spec, plan.Scores, scoresName, width);
            else EmitDotScores(w, spec, plan.Scores, scoresName, width);
            EmitWeightedSums(w, plan.Sums, weightedSumName, spec.ValueSize);
        }
    }

    private static string ScaleFactor(ScoreAttentionSpec spec) =>
        spec.Score == AttentionScore.ScaledDot ? Literals.Float((float)(1.0 / Math.Sqrt(spec.QuerySize))) : "";

    private static void EmitDotScores(SourceWriter w, ScoreAttentionSpec spec, EquatableArray<ScoreRowPlan> kernels, string name, int d)
    {
        string scale = ScaleFactor(spec);
        string scaled(string dot) => scale.Length == 0 ? dot : $"{scale} * {dot}";
        const string parameters = "global::System.ReadOnlySpan<float> query, global::System.ReadOnlySpan<float> keys, int count, global::System.Span<float> scores";
        string what = spec.Score switch
        {
            AttentionScore.ScaledDot => $"<c>{scale} · qᵀk</c> (1/sqrt({d}))",
            AttentionScore.General => "<c>qᵀ(W k)</c>: keys arrive projected by W",
            AttentionScore.Cosine => "<c>qᵀk</c> of rows normalized to unit length",
            _ => "<c>qᵀk</c>",
        };
        w.Line($"// Scores: {what.Replace("<c>", "").Replace("</c>", "")}; scalar, the reference every vector path is tested against.");
        using (w.Block($"private static void {name}_Scalar({parameters})"))
        {
            w.Line($"global::System.ReadOnlySpan<float> q = query.Slice(0, {d});");
            using (w.Block("for (int j = 0; j < count; j++)"))
            {
                w.Line($"global::System.ReadOnlySpan<float> key = keys.Slice(j * {d}, {d});");
                w.Line("float dot = 0f;");
                w.Line($"for (int i = 0; i < {d}; i++) dot += q[i] * key[i];");
                w.Line($"scores[j] = {scaled("dot")};");
            }
        }

        w.Line();
        foreach (ScoreRowPlan kernel in kernels)
        {
            int width = kernel.Width;
            bool held = kernel.Held;
            w.Line($"// {PathOf(width)}: D = {Layout(d, kernel.Segments)}{(held ? "; the query row stays in registers across every key" : "; the query row is reloaded from L1 for each key")}.");
            using (w.Block($"private static void {name}_{Short(PathOf(width))}({parameters})"))
            {
                VectorCode.References(w, ("q", "query"), ("k", "keys"), ("s", "scores"));
                if (held)
                {
                    foreach (RowSegment segment in kernel.Segments) w.Line($"{TypeOf(segment.Width)} query{segment.Offset} = {Load(segment.Width, "q", segment.Offset)};");
                }

                using (w.Block("for (int j = 0; j < count; j++)"))
                {
                    w.Line($"ref float key = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref k, (nint)j * {d});");
                    EmitDot(w, "dot", "q", "key", kernel.Segments, width, held ? "query" : null);
                    w.Line($"global::System.Runtime.CompilerServices.Unsafe.Add(ref s, j) = {scaled("dot")};");
                }
            }

            w.Line();
        }
    }

    private static void EmitAdditiveScores(SourceWriter w, ScoreAttentionSpec spec, EquatableArray<ScoreRowPlan> kernels, string name, int h)
    {
        bool mlp = spec.Score == AttentionScore.Mlp;
        string bias = mlp ? $" + global::System.Runtime.CompilerServices.Unsafe.Add(ref v, {h})" : "";
        const string parameters = "global::System.ReadOnlySpan<float> query, global::System.ReadOnlySpan<float> keys, int count, global::System.ReadOnlySpan<float> weights, global::System.Span<float> scores";
        string activation(int width, string x) => (mlp, width) switch
        {
            (false, 1) => $"global::System.MathF.Tanh({x})",
            (false, _) => $"global::Attend.Kernels.VectorMath.Tanh({x})",
            (true, 1) => $"global::System.MathF.Max({x}, 0f)",
            (true, _) => $"{QualifiedVectorOf(width)}.Max({x}, {TypeOf(width)}.Zero)",
        };
        w.Line(mlp
            ? "// Scores: w₂ᵀ relu(W₁q q + b₁ + W₁k k) + b₂ over rows already projected (query rows include b₁); weights = w₂ then b₂."
            : "// Scores: vᵀ tanh(W_q q + W_k k) over rows already projected; weights = v.");
        w.Line("// Scalar: the reference every vector path is tested against.");
        using (w.Block($"private static void {name}_Scalar({parameters})"))
        {
            w.Line($"global::System.ReadOnlySpan<float> q = query.Slice(0, {h});");
            using (w.Block("for (int j = 0; j < count; j++)"))
            {
                w.Line($"global::System.ReadOnlySpan<float> key = keys.Slice(j * {h}, {h});");
                w.Line(mlp ? $"float sum = weights[{h}];" : "float sum = 0f;");
                w.Line($"for (int i = 0; i < {h}; i++) sum += weights[i] * {activation(1, "q[i] + key[i]")};");
                w.Line("scores[j] = sum;");
            }
        }

        w.Line();
        foreach (ScoreRowPlan kernel in kernels)
        {
            int width = kernel.Width;
            bool held = kernel.Held;
            w.Line($"// {PathOf(width)}: Hidden = {Layout(h, kernel.Segments)}{(held ? "; the query row and v stay in registers across every key" : "; the query row and v are reloaded from L1 for each key")}.");
            using (w.Block($"private static void {name}_{Short(PathOf(width))}({parameters})"))
            {
                VectorCode.References(w, ("q", "query"), ("k", "keys"), ("v", "weights"), ("s", "scores"));
                if (held)
                {
                    foreach (RowSegment segment in kernel.Segments)
                    {
                        w.Line($"{TypeOf(segment.Width)} query{segment.Offset} = {Load(segment.Width, "q", segment.Offset)};");
                        w.Line($"{TypeOf(segment.Width)} v{segment.Offset} = {Load(segment.Width, "v", segment.Offset)};");
                    }
                }

                using (w.Block("for (int j = 0; j < count; j++)"))
                {
                    w.Line($"ref float key = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref k, (nint)j * {h});");
                    EmitReduction(w, "sum", kernel.Segments, width,
                        (segmentWidth, index, offset) => held && index is null ? $"v{offset}" : At(segmentWidth, "v", index, offset),
                        (segmentWidth, index, offset) =>
                        {
                            string queryPart = held && index is null ? $"query{offset}" : At(segmentWidth, "q", index, offset);
                            return activation(segmentWidth, $"{queryPart} + {At(segmentWidth, "key", index, offset)}");
                        });
                    w.Line($"global::System.Runtime.CompilerServices.Unsafe.Add(ref s, j) = sum{bias};");
                }
            }

            w.Line();
        }
    }

    private static void EmitWeightedSums(SourceWriter w, EquatableArray<WeightedSumPlan> kernels, string name, int dv)
    {
        const string parameters = "global::System.ReadOnlySpan<float> weights, global::System.ReadOnlySpan<float> values, int valueStride, int count, global::System.Span<float> output";
        w.Line("// Weighted sum, scalar: the reference every vector path is tested against.");
        using (w.Block($"private static void {name}_Scalar({parameters})"))
        {
            w.Line($"global::System.Span<float> o = output.Slice(0, {dv});");
            w.Line("o.Clear();");
            using (w.Block("for (int j = 0; j < count; j++)"))
            {
                w.Line($"global::System.ReadOnlySpan<float> row = values.Slice(j * valueStride, {dv});");
                w.Line("float weight = weights[j];");
                w.Line($"for (int d = 0; d < {dv}; d++) o[d] += weight * row[d];");
            }
        }

        w.Line();
        foreach (WeightedSumPlan kernel in kernels)
        {
            int width = kernel.Width;
            List<RowSegment> segments = kernel.Segments.ToList();
            int looped = kernel.LoopedRegisters;
            w.Line($"// {PathOf(width)}: Dv = {Layout(dv, kernel.Segments)}" + (looped > 0
                ? $"; column blocks of {MaxAccumulators} registers each stream the value rows once, then the rest."
                : "; the output row is accumulated in registers and stored once."));
            using (w.Block($"private static void {name}_{Short(PathOf(width))}({parameters})"))
            {
                VectorCode.References(w, ("p", "weights"), ("v", "values"), ("o", "output"));
                if (looped > 0)
                {
                    using (w.Block($"for (nuint c = 0; c < {looped * width}; c += {MaxAccumulators * width})"))
                    {
                        var block = Enumerable.Range(0, MaxAccumulators).Select(i => new RowSegment(i * width, width)).ToList();
                        EmitWeightedSumBlock(w, block, "c");
                    }
                }

                List<RowSegment> rest = segments.Skip(looped).ToList();
                if (rest.Count > 0)
                {
                    using (looped > 0 ? w.Block("") : default)
                    {
                        EmitWeightedSumBlock(w, rest, null);
                    }
                }
            }

            w.Line();
        }
    }

    private static void EmitWeightedSumBlock(SourceWriter w, List<RowSegment> block, string? column)
    {
        foreach (RowSegment segment in block)
        {
            w.Line(segment.Width == 1 ? $"float acc{segment.Offset} = 0f;" : $"{TypeOf(segment.Width)} acc{segment.Offset} = {TypeOf(segment.Width)}.Zero;");
        }

        using (w.Block("for (int j = 0; j < count; j++)"))
        {
            w.Line("ref float row = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref v, (nint)j * valueStride);");
            w.Line("float weight = global::System.Runtime.CompilerServices.Unsafe.Add(ref p, j);");
            foreach (int width in block.Select(s => s.Width).Where(x => x > 1).Distinct())
            {
                w.Line($"{TypeOf(width)} weight{width * 32} = {Broadcast(width, "weight")};");
            }

            foreach (RowSegment segment in block)
            {
                w.Line(segment.Width == 1
                    ? $"acc{segment.Offset} += weight * {At(1, "row", column, segment.Offset)};"
                    : $"acc{segment.Offset} = {MultiplyAdd(segment.Width, $"weight{segment.Width * 32}", At(segment.Width, "row", column, segment.Offset), $"acc{segment.Offset}")};");
            }
        }

        foreach (RowSegment segment in block)
        {
            if (segment.Width == 1)
            {
                w.Line(column is null ? $"global::System.Runtime.CompilerServices.Unsafe.Add(ref o, {segment.Offset}) = acc{segment.Offset};" : $"global::System.Runtime.CompilerServices.Unsafe.Add(ref o, {column} + {segment.Offset}) = acc{segment.Offset};");
            }
            else
            {
                string at = column is null ? (segment.Offset == 0 ? "" : $", {segment.Offset}") : (segment.Offset == 0 ? $", {column}" : $", {column} + {segment.Offset}");
                w.Line(Store(segment.Width, $"acc{segment.Offset}", $"ref o{at}") + ";");
            }
        }
    }
}
