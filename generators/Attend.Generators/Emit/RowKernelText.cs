using static Attend.Generators.Emit.VectorCode;

namespace Attend.Generators.Emit;

/// <summary>
/// Recipes over a row covered by <see cref="HeadKernelPlanner.Segments"/>: loads and stores of a segment, dot products and
/// weighted sums with one accumulator per register width. Every vector operation they write comes from
/// <see cref="VectorCode"/>, the vocabulary (as ggml's <c>vec.h</c> is written over <c>simd-mappings.h</c>).
/// </summary>
internal static class RowKernelText
{
    /// <summary>A weighted sum keeps at most this many output registers live, leaving room for the loaded rows.</summary>
    public const int MaxAccumulatorRegisters = 8;

    /// <summary>Loads <paramref name="segment"/> from <c>ref float</c> <paramref name="source"/>, shifted by <paramref name="offset"/> (an expression) when given.</summary>
    public static string Load(RowSegment segment, string source, string offset = "")
    {
        string at = offset.Length == 0 ? Literals.Int(segment.Offset) : segment.Offset == 0 ? offset : $"{offset} + {Literals.Int(segment.Offset)}";
        return segment.Width switch
        {
            1 => LoadAt(1, source, at, 0),
            _ when at == "0" => VectorCode.Load(segment.Width, source, 0),
            _ when offset.Length == 0 => LoadAt(segment.Width, source, at, 0),
            _ => LoadAt(segment.Width, source, $"(nuint)({at})", 0),
        };
    }

    /// <summary>Stores <paramref name="value"/> (a register or float) to <paramref name="segment"/> of <c>ref float</c> <paramref name="target"/>.</summary>
    public static string Store(RowSegment segment, string value, string target) => segment.Width switch
    {
        1 => $"global::System.Runtime.CompilerServices.Unsafe.Add(ref {target}, {Literals.Int(segment.Offset)}) = {value};",
        _ when segment.Offset == 0 => VectorCode.Store(segment.Width, value, $"ref {target}") + ";",
        _ => VectorCode.Store(segment.Width, value, $"ref {target}, {Literals.Int(segment.Offset)}") + ";",
    };

    public static int RegisterCount(IReadOnlyList<RowSegment> segments) => segments.Count(s => s.Width > 1);

    public static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";

    /// <summary>
    /// Writes <c>Σ left·right</c> over <paramref name="segments"/> into one accumulator per register width (named
    /// <paramref name="name"/> + bits, or <paramref name="name"/> for scalars) and returns the expression that sums them.
    /// </summary>
    public static string Dot(SourceWriter w, IReadOnlyList<RowSegment> segments, string name, Func<RowSegment, string> left, Func<RowSegment, string> right)
    {
        IReadOnlyList<string> terms = DotTerms(w, segments, name, left, right, paired: false);
        return terms.Count == 1 ? terms[0] : "(" + string.Join(" + ", terms) + ")";
    }

    /// <summary>
    /// Writes <c>Σ left·right</c> over <paramref name="segments"/> and returns the terms whose sum it is: one lane sum per
    /// register width, then the scalar accumulator. <paramref name="paired"/>: registers of one width alternate between two
    /// accumulators (<paramref name="name"/> + bits + a / b), which halves the multiply-add dependency chain of a row read
    /// once per key.
    /// </summary>
    public static IReadOnlyList<string> DotTerms(SourceWriter w, IReadOnlyList<RowSegment> segments, string name, Func<RowSegment, string> left, Func<RowSegment, string> right, bool paired)
    {
        var started = new HashSet<string>();
        int[] perWidth = new int[17];
        foreach (RowSegment segment in segments)
        {
            int index = perWidth[segment.Width]++;
            string accumulator = paired && segment.Width > 1 ? Accumulator(name, segment.Width) + (index % 2 == 0 ? "a" : "b") : Accumulator(name, segment.Width);
            string l = left(segment), r = right(segment);
            if (started.Add(accumulator)) w.Line($"{TypeOf(segment.Width)} {accumulator} = {l} * {r};");
            else if (segment.Width == 1) w.Line($"{accumulator} += {l} * {r};");
            else w.Line($"{accumulator} = {MultiplyAdd(segment.Width, l, r, accumulator)};");
        }

        var terms = new List<string>();
        foreach (int width in new[] { 16, 8, 4 })
        {
            if (perWidth[width] == 0) continue;
            string first = Accumulator(name, width);
            terms.Add(LaneSum(width, !paired ? first : perWidth[width] > 1 ? $"{first}a + {first}b" : $"{first}a"));
        }

        if (perWidth[1] > 0) terms.Add(name);
        return terms;
    }

    /// <summary>
    /// Writes <c>Σ left·right</c> over <paramref name="segments"/>, all registers of one width, into paired accumulators as
    /// <see cref="DotTerms"/> does, and returns their sum as one register expression, not yet reduced across lanes.
    /// </summary>
    public static string DotRegister(SourceWriter w, IReadOnlyList<RowSegment> segments, string name, Func<RowSegment, string> left, Func<RowSegment, string> right)
    {
        var started = new HashSet<string>();
        int index = 0;
        foreach (RowSegment segment in segments)
        {
            string accumulator = Accumulator(name, segment.Width) + (index++ % 2 == 0 ? "a" : "b");
            string l = left(segment), r = right(segment);
            if (started.Add(accumulator)) w.Line($"{TypeOf(segment.Width)} {accumulator} = {l} * {r};");
            else w.Line($"{accumulator} = {MultiplyAdd(segment.Width, l, r, accumulator)};");
        }

        string first = Accumulator(name, segments[0].Width);
        return segments.Count > 1 ? $"{first}a + {first}b" : $"{first}a";
    }

    public static string Accumulator(string name, int width) => width == 1 ? name : $"{name}{width * 32}";

    /// <summary>Splits a row into column blocks of at most <see cref="MaxAccumulatorRegisters"/> registers (scalars ride along in the last).</summary>
    public static List<List<RowSegment>> Blocks(IReadOnlyList<RowSegment> segments)
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

    /// <summary>
    /// Writes <c>output = Σ_e weight_e · row_e</c> over <paramref name="segments"/>: per column block, accumulators
    /// start at zero, the loop (opened by <paramref name="loopHeader"/>, whose body must set <c>ref float row</c> with
    /// <paramref name="rowStatement"/> and the float <c>weight</c> with <paramref name="weightStatement"/>) multiply-adds
    /// each row, and the block is stored to <c>ref float</c> <paramref name="output"/>.
    /// </summary>
    public static void WeightedRows(SourceWriter w, IReadOnlyList<RowSegment> segments, string loopHeader, string rowStatement, string weightStatement, string output)
    {
        List<List<RowSegment>> blocks = Blocks(segments);
        for (int b = 0; b < blocks.Count; b++)
        {
            List<RowSegment> block = blocks[b];
            if (blocks.Count > 1) w.Line($"// Columns {block[0].Offset}..{block[block.Count - 1].Offset + block[block.Count - 1].Width - 1}.");
            using (blocks.Count > 1 ? w.Block("") : default)
            {
                foreach (RowSegment segment in block)
                {
                    w.Line(segment.Width == 1
                        ? $"float acc{segment.Offset} = 0f;"
                        : $"{TypeOf(segment.Width)} acc{segment.Offset} = {TypeOf(segment.Width)}.Zero;");
                }

                using (w.Block(loopHeader))
                {
                    w.Line(rowStatement);
                    w.Line(weightStatement);
                    foreach (int width in block.Select(s => s.Width).Where(x => x > 1).Distinct())
                    {
                        w.Line($"{TypeOf(width)} weight{width * 32} = {Broadcast(width, "weight")};");
                    }

                    foreach (RowSegment segment in block)
                    {
                        w.Line(segment.Width == 1
                            ? $"acc{segment.Offset} += weight * {Load(segment, "row")};"
                            : $"acc{segment.Offset} = {MultiplyAdd(segment.Width, $"weight{segment.Width * 32}", Load(segment, "row"), $"acc{segment.Offset}")};");
                    }
                }

                foreach (RowSegment segment in block) w.Line(Store(segment, $"acc{segment.Offset}", output));
            }
        }
    }

    /// <summary>Writes a <c>switch (path)</c> that calls <paramref name="method"/>'s variant per path, scalar as the default.</summary>
    public static void Dispatch(SourceWriter w, Func<string, string> method, string arguments, bool returnsValue = false) =>
        EmitDispatch(w, width => method(PathOf(width)), arguments, returnsValue);
}
