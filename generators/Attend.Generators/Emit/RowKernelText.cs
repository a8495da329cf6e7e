namespace Attend.Generators.Emit;

/// <summary>
/// Text of the vector code the attention-family emitters share: register types, loads of a row segment, fused
/// dot products and weighted sums over a row covered by <see cref="HeadKernelPlanner.Segments"/>.
/// </summary>
internal static class RowKernelText
{
    /// <summary>Every vector path with its width in floats, widest first: the order dispatch tries them.</summary>
    public static readonly (string Path, int Width)[] Paths = VectorCode.Paths;

    /// <summary>A weighted sum keeps at most this many output registers live, leaving room for the loaded rows.</summary>
    public const int MaxAccumulatorRegisters = 8;

    public static string Short(string path) => VectorCode.Short(path);

    public static string VectorOf(int width) => VectorCode.VectorOf(width);

    /// <inheritdoc cref="VectorCode.QualifiedVectorOf"/>
    public static string QualifiedVectorOf(int width) => VectorCode.QualifiedVectorOf(width);

    public static string TypeOf(int width) => VectorCode.TypeOf(width);

    /// <summary>Loads <paramref name="segment"/> from <c>ref float</c> <paramref name="source"/>, shifted by <paramref name="offset"/> (an expression) when given.</summary>
    public static string Load(RowSegment segment, string source, string offset = "")
    {
        string at = offset.Length == 0 ? Literals.Int(segment.Offset) : segment.Offset == 0 ? offset : $"{offset} + {Literals.Int(segment.Offset)}";
        return segment.Width switch
        {
            1 => $"global::System.Runtime.CompilerServices.Unsafe.Add(ref {source}, {at})",
            _ when at == "0" => $"{QualifiedVectorOf(segment.Width)}.LoadUnsafe(ref {source})",
            _ when offset.Length == 0 => $"{QualifiedVectorOf(segment.Width)}.LoadUnsafe(ref {source}, {at})",
            _ => $"{QualifiedVectorOf(segment.Width)}.LoadUnsafe(ref {source}, (nuint)({at}))",
        };
    }

    /// <summary>Stores <paramref name="value"/> (a register or float) to <paramref name="segment"/> of <c>ref float</c> <paramref name="target"/>.</summary>
    public static string Store(RowSegment segment, string value, string target) => segment.Width switch
    {
        1 => $"global::System.Runtime.CompilerServices.Unsafe.Add(ref {target}, {Literals.Int(segment.Offset)}) = {value};",
        _ when segment.Offset == 0 => VectorCode.Store(segment.Width, value, $"ref {target}") + ";",
        _ => VectorCode.Store(segment.Width, value, $"ref {target}, {Literals.Int(segment.Offset)}") + ";",
    };

    /// <summary>"20 = 1 × Vector512&lt;float&gt; + 1 × Vector128&lt;float&gt;", for comments.</summary>
    public static string Layout(IReadOnlyList<RowSegment> segments)
    {
        var parts = segments.GroupBy(s => s.Width).OrderByDescending(g => g.Key)
            .Select(g => g.Key == 1 ? Plural(g.Count(), "scalar") : $"{g.Count()} × {VectorOf(g.Key)}<float>");
        return $"{segments.Sum(s => s.Width)} = {string.Join(" + ", parts)}";
    }

    public static int RegisterCount(IReadOnlyList<RowSegment> segments) => segments.Count(s => s.Width > 1);

    public static string Plural(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";

    /// <summary>
    /// Writes <c>Σ left·right</c> over <paramref name="segments"/> into one accumulator per register width (named
    /// <paramref name="name"/> + bits, or <paramref name="name"/> for scalars) and returns the expression that sums them.
    /// </summary>
    public static string Dot(SourceWriter w, IReadOnlyList<RowSegment> segments, string name, Func<RowSegment, string> left, Func<RowSegment, string> right)
    {
        var started = new HashSet<string>();
        foreach (RowSegment segment in segments)
        {
            string accumulator = Accumulator(name, segment.Width);
            string l = left(segment), r = right(segment);
            if (started.Add(accumulator)) w.Line($"{TypeOf(segment.Width)} {accumulator} = {l} * {r};");
            else if (segment.Width == 1) w.Line($"{accumulator} += {l} * {r};");
            else w.Line($"{accumulator} = {QualifiedVectorOf(segment.Width)}.MultiplyAddEstimate({l}, {r}, {accumulator});");
        }

        return SumOf(segments, name);
    }

    /// <summary>The scalar total of the accumulators <see cref="Dot"/> declared.</summary>
    public static string SumOf(IReadOnlyList<RowSegment> segments, string name)
    {
        var terms = new List<string>();
        foreach (int width in new[] { 16, 8, 4 })
        {
            if (segments.Any(s => s.Width == width)) terms.Add($"{QualifiedVectorOf(width)}.Sum({Accumulator(name, width)})");
        }

        if (segments.Any(s => s.Width == 1)) terms.Add(name);
        return terms.Count == 1 ? terms[0] : "(" + string.Join(" + ", terms) + ")";
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
                        w.Line($"{TypeOf(width)} weight{width * 32} = {QualifiedVectorOf(width)}.Create(weight);");
                    }

                    foreach (RowSegment segment in block)
                    {
                        w.Line(segment.Width == 1
                            ? $"acc{segment.Offset} += weight * {Load(segment, "row")};"
                            : $"acc{segment.Offset} = {QualifiedVectorOf(segment.Width)}.MultiplyAddEstimate(weight{segment.Width * 32}, {Load(segment, "row")}, acc{segment.Offset});");
                    }
                }

                foreach (RowSegment segment in block) w.Line(Store(segment, $"acc{segment.Offset}", output));
            }
        }
    }

    /// <summary>Writes a <c>switch (path)</c> that calls <paramref name="method"/>'s variant per path, scalar as the default.</summary>
    public static void Dispatch(SourceWriter w, Func<string, string> method, string arguments, bool returnsValue = false)
    {
        using (w.Block("switch (path)"))
        {
            foreach ((string path, _) in Paths)
            {
                w.Line(returnsValue
                    ? $"case global::Attend.KernelPath.{path}: return {method(path)}({arguments});"
                    : $"case global::Attend.KernelPath.{path}: {method(path)}({arguments}); return;");
            }

            w.Line(returnsValue ? $"default: return {method("Scalar")}({arguments});" : $"default: {method("Scalar")}({arguments}); return;");
        }
    }
}
