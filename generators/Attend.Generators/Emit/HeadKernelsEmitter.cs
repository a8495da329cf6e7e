using System.Collections.Generic;
using System.Linq;
using Attend.Generators.Planning;
using static Attend.Generators.Emit.VectorCode;

namespace Attend.Generators.Emit;

/// <summary>
/// Writes the <c>HeadKernels</c> struct: the two inner loops of attention (query·key scores and the
/// probability-weighted sum of values) for one head shape, once per instruction set, with the head
/// row unrolled into named registers.
/// </summary>
internal static class HeadKernelsEmitter
{
    public const string StructName = "HeadKernels";

    /// <summary>A weighted-sum pass keeps at most this many output registers live, leaving room for the loaded value rows.</summary>
    private const int MaxAccumulatorRegisters = 8;

    public static void Emit(SourceWriter w, HeadKernelPlan plan)
    {
        string d = Literals.Int(plan.DimHead);
        string dv = Literals.Int(plan.ValueDimHead);
        // The debugger steps over the kernels: stepping through thousands of unrolled register lines per key misleads more than it shows.
        w.Line("#line hidden");
        w.Line($"/// <summary>Attention inner loops for D = {d}, Dv = {dv}: one method per instruction set, sizes constant.</summary>");
        w.Line(GeneratedCode.Attribute);
        using (w.Block($"private readonly struct {StructName} : global::Attend.Kernels.IAttentionHeadKernels"))
        {
            w.Line($"private const int D = {d};");
            w.Line($"private const int Dv = {dv};");
            w.Line();
            w.Line("public static int DimHead => D;");
            w.Line();
            w.Line("public static int ValueDimHead => Dv;");
            w.Line();
            EmitDispatch(w, plan);
            EmitScalar(w, plan);
            foreach (VectorPathPlan path in plan.VectorPaths)
            {
                EmitScores(w, plan, path);
                EmitWeightedSum(w, plan, path);
            }

            TileKernelsEmitter.Emit(w, TileKernelPlanner.Plan(plan.DimHead, plan.ValueDimHead));
        }

        w.Line("#line default");
    }

    public static string ScoresName(HeadKernelPlan plan, string path) => $"Scores_D{plan.DimHead}_{Short(path)}";

    public static string WeightedSumName(HeadKernelPlan plan, string path) => $"WeightedSum_Dv{plan.ValueDimHead}_{Short(path)}";

    private static void EmitDispatch(SourceWriter w, HeadKernelPlan plan)
    {
        using (w.Block("public static void Scores(global::Attend.KernelPath path, global::System.ReadOnlySpan<float> query, global::System.ReadOnlySpan<float> keys, int keyStride, int count, float scale, global::System.Span<float> scores)"))
        {
            using (w.Block("switch (path)"))
            {
                foreach (VectorPathPlan path in plan.VectorPaths)
                {
                    w.Line($"case global::Attend.KernelPath.{path.Path}: {ScoresName(plan, path.Path)}(query, keys, keyStride, count, scale, scores); return;");
                }

                w.Line($"default: {ScoresName(plan, "Scalar")}(query, keys, keyStride, count, scale, scores); return;");
            }
        }

        w.Line();
        using (w.Block("public static void WeightedSum(global::Attend.KernelPath path, global::System.ReadOnlySpan<float> weights, global::System.ReadOnlySpan<float> values, int valueStride, int count, global::System.Span<float> output)"))
        {
            using (w.Block("switch (path)"))
            {
                foreach (VectorPathPlan path in plan.VectorPaths)
                {
                    w.Line($"case global::Attend.KernelPath.{path.Path}: {WeightedSumName(plan, path.Path)}(weights, values, valueStride, count, output); return;");
                }

                w.Line($"default: {WeightedSumName(plan, "Scalar")}(weights, values, valueStride, count, output); return;");
            }
        }

        w.Line();
    }

    private static void EmitScalar(SourceWriter w, HeadKernelPlan plan)
    {
        w.Line("// Scalar: the reference every vector path is tested against, and the path on machines without SIMD.");
        using (w.Block($"private static void {ScoresName(plan, "Scalar")}(global::System.ReadOnlySpan<float> query, global::System.ReadOnlySpan<float> keys, int keyStride, int count, float scale, global::System.Span<float> scores)"))
        {
            w.Line("global::System.ReadOnlySpan<float> q = query.Slice(0, D);");
            using (w.Block("for (int j = 0; j < count; j++)"))
            {
                w.Line("global::System.ReadOnlySpan<float> key = keys.Slice(j * keyStride, D);");
                w.Line("float sum = 0f;");
                w.Line("for (int d = 0; d < D; d++) sum += q[d] * key[d];");
                w.Line("scores[j] = scale * sum;");
            }
        }

        w.Line();
        using (w.Block($"private static void {WeightedSumName(plan, "Scalar")}(global::System.ReadOnlySpan<float> weights, global::System.ReadOnlySpan<float> values, int valueStride, int count, global::System.Span<float> output)"))
        {
            w.Line("global::System.Span<float> o = output.Slice(0, Dv);");
            w.Line("o.Clear();");
            using (w.Block("for (int j = 0; j < count; j++)"))
            {
                w.Line("global::System.ReadOnlySpan<float> row = values.Slice(j * valueStride, Dv);");
                w.Line("float weight = weights[j];");
                w.Line("for (int d = 0; d < Dv; d++) o[d] += weight * row[d];");
            }
        }

        w.Line();
    }

    private static void EmitScores(SourceWriter w, HeadKernelPlan plan, VectorPathPlan path)
    {
        IReadOnlyList<RowSegment> segments = path.Query.ToList();
        int registers = segments.Count(s => s.Width > 1);
        int scalars = segments.Count - registers;
        w.Line($"// {path.Path}: D = {Layout(segments)}.");
        w.Line(path.QueryInRegisters
            ? $"// The query row is loaded once and held in {Plural(registers, "register")}{(scalars > 0 ? $" and {Plural(scalars, "scalar")}" : "")} across every key."
            : $"// {registers} query registers would spill, so each key's pass reloads the query row from L1.");
        using (w.Block($"private static void {ScoresName(plan, path.Path)}(global::System.ReadOnlySpan<float> query, global::System.ReadOnlySpan<float> keys, int keyStride, int count, float scale, global::System.Span<float> scores)"))
        {
            w.Line("ref float q = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(query);");
            w.Line("ref float k = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(keys);");
            w.Line("ref float s = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(scores);");
            if (path.QueryInRegisters)
            {
                foreach (RowSegment segment in segments) w.Line($"{TypeOf(segment.Width)} q{segment.Offset} = {Load(segment, "q")};");
            }

            using (w.Block("for (int j = 0; j < count; j++)"))
            {
                w.Line("ref float key = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref k, (nint)j * keyStride);");
                var started = new HashSet<string>();
                int[] countPerWidth = new int[17];
                foreach (RowSegment segment in segments)
                {
                    // Two accumulators per register width halve the FMA dependency chain.
                    int index = countPerWidth[segment.Width]++;
                    string accumulator = segment.Width == 1 ? "sum" : $"sum{segment.Width * 32}{(index % 2 == 0 ? "a" : "b")}";
                    string queryValue = path.QueryInRegisters ? $"q{segment.Offset}" : Load(segment, "q");
                    string keyValue = Load(segment, "key");
                    if (started.Add(accumulator))
                    {
                        w.Line($"{TypeOf(segment.Width)} {accumulator} = {queryValue} * {keyValue};");
                    }
                    else if (segment.Width == 1)
                    {
                        w.Line($"{accumulator} += {queryValue} * {keyValue};");
                    }
                    else
                    {
                        w.Line($"{accumulator} = {QualifiedVectorOf(segment.Width)}.MultiplyAddEstimate({queryValue}, {keyValue}, {accumulator});");
                    }
                }

                var terms = new List<string>();
                foreach (int width in new[] { 16, 8, 4 })
                {
                    if (countPerWidth[width] == 0) continue;
                    string a = $"sum{width * 32}a";
                    terms.Add(countPerWidth[width] > 1 ? $"{QualifiedVectorOf(width)}.Sum({a} + sum{width * 32}b)" : $"{QualifiedVectorOf(width)}.Sum({a})");
                }

                if (countPerWidth[1] > 0) terms.Add("sum");
                w.Line($"global::System.Runtime.CompilerServices.Unsafe.Add(ref s, j) = scale * ({string.Join(" + ", terms)});");
            }
        }

        w.Line();
    }

    private static void EmitWeightedSum(SourceWriter w, HeadKernelPlan plan, VectorPathPlan path)
    {
        IReadOnlyList<RowSegment> segments = path.Value.ToList();
        List<List<RowSegment>> blocks = SplitIntoBlocks(segments);
        w.Line($"// {path.Path}: Dv = {Layout(segments)}{(blocks.Count > 1 ? $"; {blocks.Count} column blocks of at most {MaxAccumulatorRegisters} accumulators, each streaming the value rows once" : "; the output row is accumulated in registers and stored once")}.");
        using (w.Block($"private static void {WeightedSumName(plan, path.Path)}(global::System.ReadOnlySpan<float> weights, global::System.ReadOnlySpan<float> values, int valueStride, int count, global::System.Span<float> output)"))
        {
            w.Line("ref float p = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(weights);");
            w.Line("ref float v = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(values);");
            w.Line("ref float o = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(output);");
            for (int b = 0; b < blocks.Count; b++)
            {
                List<RowSegment> block = blocks[b];
                if (blocks.Count > 1) w.Line($"// Columns {block[0].Offset}..{block[block.Count - 1].Offset + block[block.Count - 1].Width - 1}.");
                using (blocks.Count > 1 ? w.Block("") : default)
                {
                    EmitWeightedSumBlock(w, block);
                }
            }
        }

        w.Line();
    }

    private static void EmitWeightedSumBlock(SourceWriter w, List<RowSegment> block)
    {
        foreach (RowSegment segment in block)
        {
            w.Line(segment.Width == 1
                ? $"float acc{segment.Offset} = 0f;"
                : $"{TypeOf(segment.Width)} acc{segment.Offset} = {TypeOf(segment.Width)}.Zero;");
        }

        using (w.Block("for (int j = 0; j < count; j++)"))
        {
            w.Line("ref float row = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref v, (nint)j * valueStride);");
            w.Line("float weight = global::System.Runtime.CompilerServices.Unsafe.Add(ref p, j);");
            foreach (int width in block.Select(s => s.Width).Where(x => x > 1).Distinct())
            {
                w.Line($"{TypeOf(width)} weight{width * 32} = {QualifiedVectorOf(width)}.Create(weight);");
            }

            foreach (RowSegment segment in block)
            {
                w.Line(segment.Width == 1
                    ? $"acc{segment.Offset} += weight * {Load(segment, "row")};"
                    : $"acc{segment.Offset} = {QualifiedVectorOf(segment.Width)}.MultiplyAddEstimate(weight{segment.Width * 32}, {Load(segment, "row")}, acc{segment.Offset});");
            }
        }

        foreach (RowSegment segment in block)
        {
            w.Line(segment.Width == 1
                ? $"global::System.Runtime.CompilerServices.Unsafe.Add(ref o, {segment.Offset}) = acc{segment.Offset};"
                : Store(segment.Width, $"acc{segment.Offset}", segment.Offset == 0 ? "ref o" : $"ref o, {segment.Offset}") + ";");
        }
    }

    private static List<List<RowSegment>> SplitIntoBlocks(IReadOnlyList<RowSegment> segments)
    {
        var blocks = new List<List<RowSegment>> { new() };
        foreach (RowSegment segment in segments)
        {
            List<RowSegment> current = blocks[blocks.Count - 1];
            if (segment.Width > 1 && current.Count(s => s.Width > 1) == MaxAccumulatorRegisters) blocks.Add(current = new List<RowSegment>());
            current.Add(segment);
        }

        return blocks;
    }

    private static string Load(RowSegment segment, string source) => segment.Width switch
    {
        1 => $"global::System.Runtime.CompilerServices.Unsafe.Add(ref {source}, {segment.Offset})",
        _ when segment.Offset == 0 => $"{QualifiedVectorOf(segment.Width)}.LoadUnsafe(ref {source})",
        _ => $"{QualifiedVectorOf(segment.Width)}.LoadUnsafe(ref {source}, {segment.Offset})",
    };

    private static string Layout(IReadOnlyList<RowSegment> segments)
    {
        var parts = segments.GroupBy(s => s.Width).OrderByDescending(g => g.Key)
            .Select(g => g.Key == 1 ? Plural(g.Count(), "scalar") : $"{g.Count()} × {VectorOf(g.Key)}<float>");
        return $"{segments.Sum(s => s.Width)} = {string.Join(" + ", parts)}";
    }

    private static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
