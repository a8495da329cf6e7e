using static Attend.Generators.Emit.VectorCode;

namespace Attend.Generators.Emit;

/// <summary>
/// Writes the flash-style tile kernels into a head kernel struct: the register tile of each path, key packing, the
/// Mr × Nr score tile (Q·Kᵀ) and the Mr × Dv value tile (P·V with the online-softmax rescale folded into the accumulator
/// load). The parts whose text the shape does not change (scalar tiles, packing, the score tile, whose loop runs along D,
/// and value-tile column blocks of whole registers) are calls into <c>Attend.Kernels.HeadKernelParts</c>; the value-tile
/// blocks holding narrower segments or scalars are written here, register by register.
/// </summary>
internal static class TileKernelsEmitter
{
    private const string Parts = "global::Attend.Kernels.HeadKernelParts";

    public static string AccumulateName(TileKernelPlan plan, TilePathPlan path) => $"AccumulateTile_{path.QueryRows}_Dv{plan.ValueDimHead}_{Short(path.Path)}";

    public static void Emit(SourceWriter w, TileKernelPlan plan)
    {
        EmitDispatch(w, plan);
        foreach (TilePathPlan path in plan.Paths.Where(p => p.Width > 1 && !AllShared(p)))
        {
            EmitVectorAccumulate(w, plan, path);
        }
    }

    private static string Short(string path) => path.Replace("Vector", "V");

    /// <summary>Whether every column block of <paramref name="path"/> runs in the shared runtime kernel, so no method is emitted.</summary>
    private static bool AllShared(TilePathPlan path) => path.Runs.All(r => r.Shared);

    private static string SharedCall(TilePathPlan path, ValueRun run) =>
        $"{Parts}.AccumulateColumns(global::Attend.KernelPath.{path.Path}, {path.SegmentsPerBlock}, Dv, {run.FirstColumn}, {run.EndColumn}, ref weights, weightStride, ref values, valueStride, count, ref output, ref rescale);";

    private static void EmitDispatch(SourceWriter w, TileKernelPlan plan)
    {
        TilePathPlan scalar = plan.Paths.First(p => p.Width == 1);
        IEnumerable<TilePathPlan> vectors = plan.Paths.Where(p => p.Width > 1);

        using (w.Block("public static global::Attend.Kernels.AttentionTileShape TileShape(global::Attend.KernelPath path) => path switch", ";"))
        {
            foreach (TilePathPlan path in vectors) w.Line($"global::Attend.KernelPath.{path.Path} => new global::Attend.Kernels.AttentionTileShape({path.QueryRows}, {path.KeyBlock}),");
            w.Line($"_ => new global::Attend.Kernels.AttentionTileShape({scalar.QueryRows}, {scalar.KeyBlock}),");
        }

        w.Line();
        w.Line("public static void PackKeys(global::Attend.KernelPath path, ref float keys, nint keyStride, int count, ref float packed) =>");
        w.Line($"    {Parts}.PackKeys(D, TileShape(path).KeyBlock, ref keys, keyStride, count, ref packed);");
        w.Line();
        w.Line("// Score tiles: the loop runs along D with nothing of D unrolled, so one runtime kernel per path serves every shape.");
        w.Line("public static void ScoreTile(global::Attend.KernelPath path, ref float query, ref float packedKeys, int blocks, ref float scores, nint scoreStride) =>");
        w.Line($"    {Parts}.ScoreTile(path, D, ref query, ref packedKeys, blocks, ref scores, scoreStride);");
        w.Line();
        using (w.Block("public static void AccumulateTile(global::Attend.KernelPath path, ref float weights, nint weightStride, ref float values, nint valueStride, int count, ref float output, ref float rescale)"))
        using (w.Block("switch (path)"))
        {
            foreach (TilePathPlan path in vectors)
            {
                w.Line(AllShared(path)
                    ? $"case global::Attend.KernelPath.{path.Path}: {SharedCall(path, path.Runs[0])} return;"
                    : $"case global::Attend.KernelPath.{path.Path}: {AccumulateName(plan, path)}(ref weights, weightStride, ref values, valueStride, count, ref output, ref rescale); return;");
            }

            w.Line($"default: {Parts}.AccumulateTile(Dv, ref weights, weightStride, ref values, valueStride, count, ref output, ref rescale); return;");
        }

        w.Line();
    }

    private static void EmitVectorAccumulate(SourceWriter w, TileKernelPlan plan, TilePathPlan path)
    {
        int rows = path.QueryRows;
        List<ValueRun> runs = path.Runs.ToList();
        List<ValueBlock> blocks = path.ValueBlocks.ToList();
        int widest = blocks.Max(b => b.Segments.Count);
        w.Line($"// {path.Path} value tile: {rows} rows × Dv = {plan.ValueDimHead}; {(blocks.Count == 1 ? "one column block" : $"{blocks.Count} column blocks")} of at most {widest} segments,");
        w.Line($"// so at most {rows * widest} accumulators + {widest} value segments + 1 broadcast of {path.Registers} registers; the rescale is applied as the accumulators load.");
        if (runs.Any(r => r.Shared)) w.Line($"// Blocks of {path.SegmentsPerBlock} whole registers run in the shared runtime kernel; the block with the narrower tail is written here.");
        using (w.Block($"private static void {AccumulateName(plan, path)}(ref float weights, nint weightStride, ref float values, nint valueStride, int count, ref float output, ref float rescale)"))
        {
            for (int r = 1; r < rows; r++) w.Line($"ref float p{r} = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref weights, {(r == 1 ? "" : $"{r} * ")}weightStride);");
            foreach (ValueRun run in runs)
            {
                if (run.Shared)
                {
                    w.Line(SharedCall(path, run));
                    continue;
                }

                foreach (ValueBlock block in run.Blocks)
                {
                    RowSegment first = block.Segments[0], last = block.Segments[block.Segments.Count - 1];
                    if (blocks.Count > 1) w.Line($"// Columns {first.Offset}..{last.Offset + last.Width - 1}.");
                    using (blocks.Count > 1 ? w.Block("") : default)
                    {
                        EmitAccumulateBlock(w, path, block);
                    }
                }
            }
        }

        w.Line();
    }

    private static void EmitAccumulateBlock(SourceWriter w, TilePathPlan path, ValueBlock block)
    {
        int rows = path.QueryRows;
        for (int r = 0; r < rows; r++)
        {
            w.Line($"float factor{r} = global::System.Runtime.CompilerServices.Unsafe.Add(ref rescale, {r});");
            foreach (RowSegment segment in block.Segments)
            {
                string name = $"o{r}_{segment.Offset}";
                string at = r == 0 ? Literals.Int(segment.Offset) : $"{r} * Dv + {segment.Offset}";
                w.Line($"{TypeOf(segment.Width)} {name} = {LoadAt(segment.Width, "output", at, 0)} * factor{r};");
            }
        }

        using (w.Block("for (int j = 0; j < count; j++)"))
        {
            w.Line("ref float v = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref values, j * valueStride);");
            foreach (RowSegment segment in block.Segments)
            {
                w.Line(segment.Width == 1
                    ? $"float v{segment.Offset} = global::System.Runtime.CompilerServices.Unsafe.Add(ref v, {segment.Offset});"
                    : $"{TypeOf(segment.Width)} v{segment.Offset} = {Load(segment.Width, "v", segment.Offset)};");
            }

            for (int r = 0; r < rows; r++)
            {
                string source = r == 0 ? "weights" : $"p{r}";
                w.Line($"{(r == 0 ? "float " : "")}weight = global::System.Runtime.CompilerServices.Unsafe.Add(ref {source}, j);");
                foreach (int width in block.Segments.Where(s => s.Width > 1).Select(s => s.Width).Distinct())
                {
                    w.Line($"{(r == 0 ? TypeOf(width) + " " : "")}p{width * 32} = {Broadcast(width, "weight")};");
                }

                foreach (RowSegment segment in block.Segments)
                {
                    string name = $"o{r}_{segment.Offset}";
                    w.Line(segment.Width == 1
                        ? $"{name} += weight * v{segment.Offset};"
                        : $"{name} = {MultiplyAdd(segment.Width, $"p{segment.Width * 32}", $"v{segment.Offset}", name)};");
                }
            }
        }

        for (int r = 0; r < rows; r++)
        {
            foreach (RowSegment segment in block.Segments)
            {
                string name = $"o{r}_{segment.Offset}";
                string at = r == 0 ? Literals.Int(segment.Offset) : $"{r} * Dv + {segment.Offset}";
                w.Line(segment.Width == 1
                    ? $"global::System.Runtime.CompilerServices.Unsafe.Add(ref output, {at}) = {name};"
                    : Store(segment.Width, name, $"ref output, {at}") + ";");
            }
        }
    }
}
