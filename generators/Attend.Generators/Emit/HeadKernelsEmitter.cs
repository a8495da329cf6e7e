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
        w.Line($"// {path.Path}: D = {RowKernelText.Layout(segments)}.");
        w.Line(path.QueryInRegisters
            ? $"// The query row is loaded once and held in {RowKernelText.Plural(registers, "register")}{(scalars > 0 ? $" and {RowKernelText.Plural(scalars, "scalar")}" : "")} across every key."
            : $"// {registers} query registers would spill, so each key's pass reloads the query row from L1.");
        using (w.Block($"private static void {ScoresName(plan, path.Path)}(global::System.ReadOnlySpan<float> query, global::System.ReadOnlySpan<float> keys, int keyStride, int count, float scale, global::System.Span<float> scores)"))
        {
            w.Line("ref float q = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(query);");
            w.Line("ref float k = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(keys);");
            w.Line("ref float s = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(scores);");
            if (path.QueryInRegisters)
            {
                foreach (RowSegment segment in segments) w.Line($"{TypeOf(segment.Width)} q{segment.Offset} = {RowKernelText.Load(segment, "q")};");
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
                    string queryValue = path.QueryInRegisters ? $"q{segment.Offset}" : RowKernelText.Load(segment, "q");
                    string keyValue = RowKernelText.Load(segment, "key");
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
        int blocks = RowKernelText.Blocks(segments).Count;
        w.Line($"// {path.Path}: Dv = {RowKernelText.Layout(segments)}{(blocks > 1 ? $"; {blocks} column blocks of at most {RowKernelText.MaxAccumulatorRegisters} accumulators, each streaming the value rows once" : "; the output row is accumulated in registers and stored once")}.");
        using (w.Block($"private static void {WeightedSumName(plan, path.Path)}(global::System.ReadOnlySpan<float> weights, global::System.ReadOnlySpan<float> values, int valueStride, int count, global::System.Span<float> output)"))
        {
            w.Line("ref float p = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(weights);");
            w.Line("ref float v = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(values);");
            w.Line("ref float o = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(output);");
            RowKernelText.WeightedRows(w, segments, "for (int j = 0; j < count; j++)",
                "ref float row = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref v, (nint)j * valueStride);",
                "float weight = global::System.Runtime.CompilerServices.Unsafe.Add(ref p, j);", "o");
        }

        w.Line();
    }
}
