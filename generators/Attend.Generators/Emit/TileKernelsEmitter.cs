using System.Collections.Generic;
using System.Linq;
using Attend.Generators.Planning;
using static Attend.Generators.Emit.VectorCode;

namespace Attend.Generators.Emit;

/// <summary>
/// Writes the flash-style tile kernels into the <c>HeadKernels</c> struct: key packing, the Mr × Nr score tile
/// (Q·Kᵀ, register-blocked, the head width a constant) and the Mr × Dv value tile (P·V with the online-softmax
/// rescale folded into the accumulator load), once per instruction set plus a scalar reference.
/// </summary>
internal static class TileKernelsEmitter
{
    public static string PackName(TileKernelPlan plan) => $"PackKeys_D{plan.DimHead}";

    public static string ScoreName(TileKernelPlan plan, TilePathPlan path) => $"ScoreTile_{path.QueryRows}x{path.KeyBlock}_D{plan.DimHead}_{Short(path.Path)}";

    public static string AccumulateName(TileKernelPlan plan, TilePathPlan path) => $"AccumulateTile_{path.QueryRows}_Dv{plan.ValueDimHead}_{Short(path.Path)}";

    public static void Emit(SourceWriter w, TileKernelPlan plan)
    {
        EmitDispatch(w, plan);
        EmitPack(w, plan);
        foreach (TilePathPlan path in plan.Paths)
        {
            if (path.Width == 1)
            {
                EmitScalarScore(w, plan, path);
                EmitScalarAccumulate(w, plan, path);
            }
            else
            {
                EmitVectorScore(w, plan, path);
                EmitVectorAccumulate(w, plan, path);
            }
        }
    }

    private static string Short(string path) => path.Replace("Vector", "V");

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
        using (w.Block("public static void PackKeys(global::Attend.KernelPath path, ref float keys, nint keyStride, int count, ref float packed)"))
        {
            w.Line($"{PackName(plan)}(TileShape(path).KeyBlock, ref keys, keyStride, count, ref packed);");
        }

        w.Line();
        using (w.Block("public static void ScoreTile(global::Attend.KernelPath path, ref float query, ref float packedKeys, int blocks, ref float scores, nint scoreStride)"))
        using (w.Block("switch (path)"))
        {
            foreach (TilePathPlan path in vectors) w.Line($"case global::Attend.KernelPath.{path.Path}: {ScoreName(plan, path)}(ref query, ref packedKeys, blocks, ref scores, scoreStride); return;");
            w.Line($"default: {ScoreName(plan, scalar)}(ref query, ref packedKeys, blocks, ref scores, scoreStride); return;");
        }

        w.Line();
        using (w.Block("public static void AccumulateTile(global::Attend.KernelPath path, ref float weights, nint weightStride, ref float values, nint valueStride, int count, ref float output, ref float rescale)"))
        using (w.Block("switch (path)"))
        {
            foreach (TilePathPlan path in vectors) w.Line($"case global::Attend.KernelPath.{path.Path}: {AccumulateName(plan, path)}(ref weights, weightStride, ref values, valueStride, count, ref output, ref rescale); return;");
            w.Line($"default: {AccumulateName(plan, scalar)}(ref weights, weightStride, ref values, valueStride, count, ref output, ref rescale); return;");
        }

        w.Line();
    }

    private static void EmitPack(SourceWriter w, TileKernelPlan plan)
    {
        w.Line($"// Key packing: blocks of keyBlock keys transposed to [D, keyBlock], so the score tile loads keyBlock keys' element d");
        w.Line("// as whole registers. Done once per head and work item; the tail block is zero-filled.");
        using (w.Block($"private static void {PackName(plan)}(int keyBlock, ref float keys, nint keyStride, int count, ref float packed)"))
        {
            using (w.Block("for (int first = 0; first < count; first += keyBlock)"))
            {
                w.Line("ref float block = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref packed, (nint)first * D);");
                w.Line("int keysHere = global::System.Math.Min(keyBlock, count - first);");
                using (w.Block("for (int j = 0; j < keysHere; j++)"))
                {
                    w.Line("ref float key = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref keys, (first + j) * keyStride);");
                    w.Line("for (int d = 0; d < D; d++) global::System.Runtime.CompilerServices.Unsafe.Add(ref block, d * keyBlock + j) = global::System.Runtime.CompilerServices.Unsafe.Add(ref key, d);");
                }

                using (w.Block("for (int j = keysHere; j < keyBlock; j++)"))
                {
                    w.Line("for (int d = 0; d < D; d++) global::System.Runtime.CompilerServices.Unsafe.Add(ref block, d * keyBlock + j) = 0f;");
                }
            }
        }

        w.Line();
    }

    private static void EmitScalarScore(SourceWriter w, TileKernelPlan plan, TilePathPlan path)
    {
        w.Line($"// Scalar score tile, {path.QueryRows} rows × {path.KeyBlock} keys: the reference the vector tiles are tested against.");
        using (w.Block($"private static void {ScoreName(plan, path)}(ref float query, ref float packedKeys, int blocks, ref float scores, nint scoreStride)"))
        {
            w.Line($"const int QueryRows = {path.QueryRows};");
            w.Line($"const int KeyBlock = {path.KeyBlock};");
            using (w.Block("for (int block = 0; block < blocks; block++)"))
            {
                w.Line("ref float keys = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref packedKeys, (nint)block * (D * KeyBlock));");
                using (w.Block("for (int r = 0; r < QueryRows; r++)"))
                {
                    w.Line("ref float q = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref query, r * D);");
                    using (w.Block("for (int j = 0; j < KeyBlock; j++)"))
                    {
                        w.Line("float sum = 0f;");
                        w.Line("for (int d = 0; d < D; d++) sum += global::System.Runtime.CompilerServices.Unsafe.Add(ref q, d) * global::System.Runtime.CompilerServices.Unsafe.Add(ref keys, d * KeyBlock + j);");
                        w.Line("global::System.Runtime.CompilerServices.Unsafe.Add(ref scores, r * scoreStride + block * KeyBlock + j) = sum;");
                    }
                }
            }
        }

        w.Line();
    }

    private static void EmitScalarAccumulate(SourceWriter w, TileKernelPlan plan, TilePathPlan path)
    {
        w.Line($"// Scalar value tile, {path.QueryRows} rows: rescale each accumulator row, then add weight × value row per key.");
        using (w.Block($"private static void {AccumulateName(plan, path)}(ref float weights, nint weightStride, ref float values, nint valueStride, int count, ref float output, ref float rescale)"))
        {
            w.Line($"const int QueryRows = {path.QueryRows};");
            using (w.Block("for (int r = 0; r < QueryRows; r++)"))
            {
                w.Line("ref float o = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref output, r * Dv);");
                w.Line("ref float p = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref weights, r * weightStride);");
                w.Line("float factor = global::System.Runtime.CompilerServices.Unsafe.Add(ref rescale, r);");
                w.Line("for (int d = 0; d < Dv; d++) global::System.Runtime.CompilerServices.Unsafe.Add(ref o, d) *= factor;");
                using (w.Block("for (int j = 0; j < count; j++)"))
                {
                    w.Line("ref float v = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref values, j * valueStride);");
                    w.Line("float weight = global::System.Runtime.CompilerServices.Unsafe.Add(ref p, j);");
                    w.Line("for (int d = 0; d < Dv; d++) global::System.Runtime.CompilerServices.Unsafe.Add(ref o, d) += weight * global::System.Runtime.CompilerServices.Unsafe.Add(ref v, d);");
                }
            }
        }

        w.Line();
    }

    private static void EmitVectorScore(SourceWriter w, TileKernelPlan plan, TilePathPlan path)
    {
        string vector = QualifiedVectorOf(path.Width);
        string type = $"{vector}<float>";
        int rows = path.QueryRows;
        int keyRegisters = path.KeyRegisters;
        w.Line($"// {path.Path} score tile: {rows} query rows × {path.KeyBlock} keys = {path.ScoreAccumulators} accumulators ({rows} × {keyRegisters} {type}).");
        w.Line($"// Per d: {keyRegisters} key loads, {rows} query broadcasts, {path.ScoreAccumulators} FMAs; {path.ScoreAccumulators + keyRegisters + 1} of {path.Registers} registers live.");
        using (w.Block($"private static void {ScoreName(plan, path)}(ref float query, ref float packedKeys, int blocks, ref float scores, nint scoreStride)"))
        {
            w.Line($"const int KeyBlock = {path.KeyBlock};");
            using (w.Block("for (int block = 0; block < blocks; block++)"))
            {
                w.Line("ref float keys = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref packedKeys, (nint)block * (D * KeyBlock));");
                for (int r = 0; r < rows; r++)
                {
                    w.Line($"{type} {string.Join(", ", Enumerable.Range(0, keyRegisters).Select(c => $"s{r}_{c} = {type}.Zero"))};");
                }

                // The two refs walk along d, so every load below is [register + constant offset].
                w.Line("ref float k = ref keys;");
                w.Line("ref float q = ref query;");
                using (w.Block("for (int d = 0; d < D; d++)"))
                {
                    for (int c = 0; c < keyRegisters; c++)
                    {
                        w.Line(c == 0 ? $"{type} k0 = {vector}.LoadUnsafe(ref k);" : $"{type} k{c} = {vector}.LoadUnsafe(ref k, {c * path.Width});");
                    }

                    for (int r = 0; r < rows; r++)
                    {
                        w.Line($"{(r == 0 ? type + " " : "")}qr = {vector}.Create({(r == 0 ? "q" : $"global::System.Runtime.CompilerServices.Unsafe.Add(ref q, {r} * D)")});");
                        for (int c = 0; c < keyRegisters; c++)
                        {
                            w.Line($"s{r}_{c} = {vector}.MultiplyAddEstimate(qr, k{c}, s{r}_{c});");
                        }
                    }

                    w.Line("k = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref k, KeyBlock);");
                    w.Line("q = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref q, 1);");
                }

                w.Line("ref float s = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref scores, block * KeyBlock);");
                for (int r = 0; r < rows; r++)
                {
                    string row = r == 0 ? "ref s" : $"ref global::System.Runtime.CompilerServices.Unsafe.Add(ref s, {r} * scoreStride)";
                    for (int c = 0; c < keyRegisters; c++)
                    {
                        w.Line(Store(path.Width, $"s{r}_{c}", c == 0 ? row : $"{row}, {c * path.Width}") + ";");
                    }
                }
            }
        }

        w.Line();
    }

    private static void EmitVectorAccumulate(SourceWriter w, TileKernelPlan plan, TilePathPlan path)
    {
        int rows = path.QueryRows;
        List<ValueBlock> blocks = path.ValueBlocks.ToList();
        int widest = blocks.Max(b => b.Segments.Count);
        w.Line($"// {path.Path} value tile: {rows} rows × Dv = {plan.ValueDimHead}; {(blocks.Count == 1 ? "one column block" : $"{blocks.Count} column blocks")} of at most {widest} segments,");
        w.Line($"// so at most {rows * widest} accumulators + {widest} value segments + 1 broadcast of {path.Registers} registers; the rescale is applied as the accumulators load.");
        using (w.Block($"private static void {AccumulateName(plan, path)}(ref float weights, nint weightStride, ref float values, nint valueStride, int count, ref float output, ref float rescale)"))
        {
            for (int r = 1; r < rows; r++) w.Line($"ref float p{r} = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref weights, {(r == 1 ? "" : $"{r} * ")}weightStride);");
            foreach (ValueBlock block in blocks)
            {
                RowSegment first = block.Segments[0], last = block.Segments[block.Segments.Count - 1];
                if (blocks.Count > 1) w.Line($"// Columns {first.Offset}..{last.Offset + last.Width - 1}.");
                using (blocks.Count > 1 ? w.Block("") : default)
                {
                    EmitAccumulateBlock(w, path, block);
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
                w.Line(segment.Width == 1
                    ? $"float {name} = global::System.Runtime.CompilerServices.Unsafe.Add(ref output, {at}) * factor{r};"
                    : $"{TypeOf(segment.Width)} {name} = {QualifiedVectorOf(segment.Width)}.LoadUnsafe(ref output, {at}) * factor{r};");
            }
        }

        using (w.Block("for (int j = 0; j < count; j++)"))
        {
            w.Line("ref float v = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref values, j * valueStride);");
            foreach (RowSegment segment in block.Segments)
            {
                w.Line(segment.Width == 1
                    ? $"float v{segment.Offset} = global::System.Runtime.CompilerServices.Unsafe.Add(ref v, {segment.Offset});"
                    : $"{TypeOf(segment.Width)} v{segment.Offset} = {QualifiedVectorOf(segment.Width)}.LoadUnsafe(ref v{(segment.Offset == 0 ? "" : $", {segment.Offset}")});");
            }

            for (int r = 0; r < rows; r++)
            {
                string source = r == 0 ? "weights" : $"p{r}";
                w.Line($"{(r == 0 ? "float " : "")}weight = global::System.Runtime.CompilerServices.Unsafe.Add(ref {source}, j);");
                foreach (int width in block.Segments.Where(s => s.Width > 1).Select(s => s.Width).Distinct())
                {
                    w.Line($"{(r == 0 ? TypeOf(width) + " " : "")}p{width * 32} = {QualifiedVectorOf(width)}.Create(weight);");
                }

                foreach (RowSegment segment in block.Segments)
                {
                    string name = $"o{r}_{segment.Offset}";
                    w.Line(segment.Width == 1
                        ? $"{name} += weight * v{segment.Offset};"
                        : $"{name} = {QualifiedVectorOf(segment.Width)}.MultiplyAddEstimate(p{segment.Width * 32}, v{segment.Offset}, {name});");
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
