namespace Attend.Generators.Emit;

/// <summary>
/// The vocabulary of emitted kernels, written once: register types, loads, stores, broadcasts, multiply-adds and lane
/// sums of a given width, the row layout comments, and the recipes the channel, score, head and tile kernels share
/// (a reduction with paired accumulators, the per-path dispatch switch). Emitters compose these; none writes a vector
/// operation's text itself.
/// </summary>
internal static class VectorCode
{
    /// <summary>The vector paths, widest first: <c>KernelPath</c> member name and floats per register.</summary>
    public static readonly (string Path, int Width)[] Paths = HeadKernelPlanner.VectorPaths;

    /// <summary>More full registers than this in one row and the emitted loop stops unrolling it.</summary>
    public const int MaxUnrolledRegisters = 16;

    public static string Short(string path) => path.Replace("Vector", "V");

    public static string VectorOf(int width) => width switch { 16 => "Vector512", 8 => "Vector256", _ => "Vector128" };

    /// <summary>The vector type's name as generated code writes it: <c>global::System.Runtime.Intrinsics.Vector256</c>.</summary>
    public static string QualifiedVectorOf(int width) => "global::System.Runtime.Intrinsics." + VectorOf(width);

    /// <summary>The register type of <paramref name="width"/> floats as generated code writes it (<c>float</c> for 1).</summary>
    public static string TypeOf(int width) => width == 1 ? "float" : QualifiedVectorOf(width) + "<float>";

    /// <summary>The path name whose width is <paramref name="width"/> (1 = Scalar).</summary>
    public static string PathOf(int width) => width == 1 ? "Scalar" : VectorOf(width);

    /// <summary>
    /// Writes <c>ref float name = ref MemoryMarshal.GetReference(span);</c> for each pair: the kernels index their spans
    /// through refs, so the JIT emits no bounds checks inside the unrolled bodies.
    /// </summary>
    public static void References(SourceWriter w, params (string Name, string Span)[] references)
    {
        foreach ((string name, string span) in references) w.Line($"ref float {name} = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference({span});");
    }

    /// <summary>A load of <paramref name="width"/> floats at a constant offset from <paramref name="source"/>.</summary>
    public static string Load(int width, string source, int offset) => width switch
    {
        1 => offset == 0 ? source : $"global::System.Runtime.CompilerServices.Unsafe.Add(ref {source}, {offset})",
        _ when offset == 0 => $"{QualifiedVectorOf(width)}.LoadUnsafe(ref {source})",
        _ => $"{QualifiedVectorOf(width)}.LoadUnsafe(ref {source}, {offset})",
    };

    /// <summary>
    /// A store of register <paramref name="value"/> (<paramref name="width"/> floats) to <paramref name="destination"/>, the
    /// call's remaining arguments (<c>ref o, 8</c>). Written as a static call because generated files import no namespace in
    /// which the compiler would find the <c>StoreUnsafe</c> extension method.
    /// </summary>
    public static string Store(int width, string value, string destination) => $"{QualifiedVectorOf(width)}.StoreUnsafe({value}, {destination})";

    /// <summary>
    /// <c>addend + a·b</c> on registers of <paramref name="width"/> floats. <c>MultiplyAddEstimate</c> rather than
    /// <c>FusedMultiplyAdd</c>: one fused instruction where the CPU has FMA, a multiply and an add where it has not, instead
    /// of the exact software fallback, which made the no-FMA Vector128 path 30× slower.
    /// </summary>
    public static string MultiplyAdd(int width, string a, string b, string addend) => $"{QualifiedVectorOf(width)}.MultiplyAddEstimate({a}, {b}, {addend})";

    /// <summary>A register of <paramref name="width"/> floats, every lane <paramref name="value"/>.</summary>
    public static string Broadcast(int width, string value) => $"{QualifiedVectorOf(width)}.Create({value})";

    /// <summary>
    /// The sum of the lanes of <paramref name="register"/> (an expression of <paramref name="width"/> floats). 16 floats go
    /// through <c>HeadKernelParts.LaneSum</c>: <c>Vector512.Sum</c> compiles to four 128-bit reductions.
    /// </summary>
    public static string LaneSum(int width, string register) =>
        width == 16 ? $"global::Attend.Kernels.HeadKernelParts.LaneSum({register})" : $"{QualifiedVectorOf(width)}.Sum({register})";

    /// <summary>A load at a run-time offset <paramref name="index"/> (a <c>nuint</c>) plus a constant.</summary>
    public static string LoadAt(int width, string source, string index, int offset)
    {
        string at = offset == 0 ? index : $"{index} + {offset}";
        return width == 1 ? $"global::System.Runtime.CompilerServices.Unsafe.Add(ref {source}, {at})" : $"{QualifiedVectorOf(width)}.LoadUnsafe(ref {source}, {at})";
    }

    /// <summary><see cref="Layout"/> escaped for an XML doc comment (<c>&lt;float&gt;</c>).</summary>
    public static string DocLayout(int length, IEnumerable<RowSegment> segments) => Layout(length, segments).Replace("<", "&lt;").Replace(">", "&gt;");

    /// <summary><see cref="Layout(int, IEnumerable{RowSegment})"/> of a row the segments cover exactly.</summary>
    public static string Layout(IReadOnlyList<RowSegment> segments) => Layout(segments.Sum(s => s.Width), segments);

    /// <summary>Describes how planned <paramref name="segments"/> cover a row of <paramref name="length"/> floats: "32 = 4 × Vector256&lt;float&gt;".</summary>
    public static string Layout(int length, IEnumerable<RowSegment> segments)
    {
        var parts = segments.GroupBy(s => s.Width).OrderByDescending(g => g.Key)
            .Select(g => g.Key == 1 ? (g.Count() == 1 ? "1 scalar" : $"{g.Count()} scalars") : $"{g.Count()} × {VectorOf(g.Key)}<float>");
        return $"{length} = {string.Join(" + ", parts)}";
    }

    /// <summary>
    /// Writes statements that leave <c>float {result} = Σ_{i &lt; length} a[i] · b[i]</c>, where <paramref name="a"/> and
    /// <paramref name="b"/> name <c>ref float</c> locals. <paramref name="heldA"/>: <c>a</c>'s segments were loaded into
    /// locals <c>{heldA}{offset}</c>. See <see cref="EmitReduction"/> for the layout.
    /// </summary>
    public static void EmitDot(SourceWriter w, string result, string a, string b, EquatableArray<RowSegment> segments, int width, string? heldA = null) =>
        EmitReduction(w, result, segments, width,
            (segmentWidth, index, offset) => heldA is null || index is not null ? At(segmentWidth, a, index, offset) : $"{heldA}{offset}",
            (segmentWidth, index, offset) => At(segmentWidth, b, index, offset));

    /// <summary>
    /// Writes statements that leave <c>float {result} = Σ_i left(i) · right(i)</c> over a constant row covered by the planned <paramref name="row"/> segments,
    /// where <paramref name="left"/> and <paramref name="right"/> give the expression for a segment (its width, a run-time
    /// index <c>c</c> or null, and a constant offset). Rows up to <see cref="MaxUnrolledRegisters"/> registers are unrolled
    /// with two accumulators per width; longer ones run a loop of four accumulators over blocks of four registers, with the
    /// remainder unrolled.
    /// </summary>
    public static void EmitReduction(SourceWriter w, string result, EquatableArray<RowSegment> row, int width, System.Func<int, string?, int, string> left, System.Func<int, string?, int, string> right)
    {
        List<RowSegment> segments = row.ToList();
        int full = segments.Count(s => s.Width == width && width > 1);
        int looped = full > MaxUnrolledRegisters ? full / 4 * 4 : 0;
        int AccumulatorsFor(int segmentWidth) => segmentWidth == width && looped > 0
            ? 4
            : System.Math.Max(1, System.Math.Min(2, segments.Count(s => s.Width == segmentWidth) - (segmentWidth == width ? looped : 0)));
        string Accumulator(int segmentWidth, int index) => $"{result}{segmentWidth * 32}{(char)('a' + index % AccumulatorsFor(segmentWidth))}";

        var terms = new List<string>();
        foreach (int segmentWidth in segments.Where(s => s.Width > 1).Select(s => s.Width).Distinct())
        {
            string type = TypeOf(segmentWidth);
            var names = Enumerable.Range(0, AccumulatorsFor(segmentWidth)).Select(i => Accumulator(segmentWidth, i)).ToList();
            foreach (string name in names) w.Line($"{type} {name} = {type}.Zero;");
            terms.Add(LaneSum(segmentWidth, string.Join(" + ", names)));
        }

        if (looped > 0)
        {
            using (w.Block($"for (nuint c = 0; c < {looped * width}; c += {4 * width})"))
            {
                for (int i = 0; i < 4; i++)
                {
                    string acc = Accumulator(width, i);
                    w.Line($"{acc} = {MultiplyAdd(width, left(width, "c", i * width), right(width, "c", i * width), acc)};");
                }
            }
        }

        var used = new Dictionary<int, int>();
        bool anyScalar = false;
        foreach (RowSegment segment in segments.Skip(looped))
        {
            if (segment.Width == 1)
            {
                string product = $"{left(1, null, segment.Offset)} * {right(1, null, segment.Offset)}";
                w.Line(anyScalar ? $"{result}Tail += {product};" : $"float {result}Tail = {product};");
                anyScalar = true;
                continue;
            }

            used.TryGetValue(segment.Width, out int index);
            used[segment.Width] = index + 1;
            string acc = Accumulator(segment.Width, index);
            w.Line($"{acc} = {MultiplyAdd(segment.Width, left(segment.Width, null, segment.Offset), right(segment.Width, null, segment.Offset), acc)};");
        }

        if (anyScalar) terms.Add($"{result}Tail");
        w.Line($"float {result} = {(terms.Count == 0 ? "0f" : string.Join(" + ", terms))};");
    }

    /// <summary>A load at a constant offset, or at run-time index <paramref name="index"/> plus the offset when one is given.</summary>
    public static string At(int width, string source, string? index, int offset) =>
        index is null ? Load(width, source, offset) : LoadAt(width, source, index, offset);

    /// <summary>The method a path of <paramref name="width"/> floats calls: the one for the width it runs at (1: the scalar one).</summary>
    public static string MethodOn(string name, EquatableArray<PathWidth> dispatch, int width)
    {
        int runsAt = width == 1 ? 1 : dispatch.First(p => p.Width == width).RunsAt;
        return runsAt == 1 ? $"{name}_Scalar" : $"{name}_{Short(PathOf(runsAt))}";
    }

    /// <summary>
    /// Writes a <c>switch (path)</c> calling, per path, the method for the width that path really uses
    /// (<paramref name="methodFor"/> maps a path's width to the method's name), grouping paths that share one;
    /// <paramref name="returnsValue"/>: the methods return what the dispatching method returns.
    /// </summary>
    public static void EmitDispatch(SourceWriter w, System.Func<int, string> methodFor, string arguments, bool returnsValue = false)
    {
        string Call(string method) => returnsValue ? $"return {method}({arguments});" : $"{method}({arguments}); return;";
        using (w.Block("switch (path)"))
        {
            var targets = Paths.Select(p => (p.Path, Target: methodFor(p.Width))).ToList();
            foreach (var group in targets.GroupBy(t => t.Target))
            {
                if (group.Key == methodFor(1)) continue;
                foreach (var (path, _) in group.Take(group.Count() - 1)) w.Line($"case global::Attend.KernelPath.{path}:");
                w.Line($"case global::Attend.KernelPath.{group.Last().Path}: {Call(group.Key)}");
            }

            w.Line($"default: {Call(methodFor(1))}");
        }
    }
}
