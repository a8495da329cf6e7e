using static Attend.Generators.Emit.VectorCode;

namespace Attend.Generators.Emit;

/// <summary>
/// Writes the constant-size inner loops of channel and spatial attention: matrix–vector products for the 1×1
/// convolutions of the channel MLP, ECA's convolution along the channels, and CBAM's k×k convolution over the
/// two pooled maps. One method per instruction set (paths whose registers cover a row the same way share one),
/// plus a dispatcher that takes the <c>KernelPath</c>.
/// </summary>
internal static class ChannelKernelsEmitter
{
    public static string MatVecName(int rows, int columns) => $"MatVec_{rows}x{columns}";

    /// <summary><c>y[r] = Σ_c W[r, c] · x[c]</c> for a constant <c>[rows, columns]</c> weight (a 1×1 convolution on one pooled vector).</summary>
    public static void EmitMatVec(SourceWriter w, MatVecPlan plan)
    {
        int rows = plan.Rows, columns = plan.Columns;
        string name = MatVecName(rows, columns);
        string method(int width) => MethodOn(name, plan.Dispatch, width);
        const string parameters = "global::System.ReadOnlySpan<float> weight, global::System.ReadOnlySpan<float> x, global::System.Span<float> y";
        w.Line($"/// <summary><c>y[r] = Σ_c weight[r, c] · x[c]</c> for weight <c>[{rows}, {columns}]</c>, on the given path.</summary>");
        using (w.Block($"private static void {name}(global::Attend.KernelPath path, {parameters})"))
        {
            EmitDispatch(w, method, "weight, x, y");
        }

        w.Line();
        using (w.Block($"private static void {name}_Scalar({parameters})"))
        {
            using (w.Block($"for (int r = 0; r < {rows}; r++)"))
            {
                w.Line($"global::System.ReadOnlySpan<float> row = weight.Slice(r * {columns}, {columns});");
                w.Line("float dot = 0f;");
                w.Line($"for (int c = 0; c < {columns}; c++) dot += row[c] * x[c];");
                w.Line("y[r] = dot;");
            }
        }

        w.Line();
        foreach (MatVecBody body in plan.Bodies)
        {
            int width = body.Width;
            bool held = body.HoldsInput;
            w.Line($"// {PathOf(width)}: {Layout(columns, body.Segments)}{(held ? "; x stays in registers across the rows" : "; x is reloaded from L1 for each row")}.");
            using (w.Block($"private static void {method(width)}({parameters})"))
            {
                VectorCode.References(w, ("weights", "weight"), ("input", "x"), ("output", "y"));
                if (held)
                {
                    foreach (RowSegment segment in body.Segments)
                    {
                        w.Line($"{TypeOf(segment.Width)} x{segment.Offset} = {Load(segment.Width, "input", segment.Offset)};");
                    }
                }

                using (w.Block($"for (int r = 0; r < {rows}; r++)"))
                {
                    w.Line($"ref float row = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref weights, r * {columns});");
                    EmitDot(w, "dot", "input", "row", body.Segments, width, held ? "x" : null);
                    w.Line("global::System.Runtime.CompilerServices.Unsafe.Add(ref output, r) = dot;");
                }
            }

            w.Line();
        }
    }

    public static string ChannelConvName(int channels, int kernel) => $"ChannelConv_K{kernel}_C{channels}";

    /// <summary>ECA's <c>output[c] = Σ_t taps[t] · padded[c + t]</c>: conv1d along the channels over a zero-padded vector.</summary>
    public static void EmitChannelConv(SourceWriter w, ChannelConvPlan plan)
    {
        int channels = plan.Channels, kernel = plan.Kernel;
        string name = ChannelConvName(channels, kernel);
        string method(int width) => MethodOn(name, plan.Dispatch, width);
        const string parameters = "global::System.ReadOnlySpan<float> padded, global::System.ReadOnlySpan<float> taps, global::System.Span<float> output";
        w.Line($"/// <summary><c>output[c] = Σ_t taps[t] · padded[c + t]</c> for {channels} channels and {kernel} taps: conv1d along the channels.</summary>");
        using (w.Block($"private static void {name}(global::Attend.KernelPath path, {parameters})"))
        {
            EmitDispatch(w, method, "padded, taps, output");
        }

        w.Line();
        using (w.Block($"private static void {name}_Scalar({parameters})"))
        {
            using (w.Block($"for (int c = 0; c < {channels}; c++)"))
            {
                w.Line("float sum = 0f;");
                w.Line($"for (int t = 0; t < {kernel}; t++) sum += taps[t] * padded[c + t];");
                w.Line("output[c] = sum;");
            }
        }

        w.Line();
        foreach (ChannelConvBody body in plan.Bodies)
        {
            int width = body.Width;
            int looped = body.LoopedRegisters;
            w.Line($"// {PathOf(width)}: {Layout(channels, body.Segments)}; the {kernel} taps are broadcast once and unrolled.");
            using (w.Block($"private static void {method(width)}({parameters})"))
            {
                VectorCode.References(w, ("input", "padded"), ("result", "output"));
                foreach (int segmentWidth in body.TapWidths)
                {
                    for (int t = 0; t < kernel; t++)
                    {
                        w.Line(segmentWidth == 1
                            ? $"float tap{t} = taps[{t}];"
                            : $"{TypeOf(segmentWidth)} tap{segmentWidth * 32}_{t} = {Broadcast(segmentWidth, $"taps[{t}]")};");
                    }
                }

                if (looped > 0)
                {
                    using (w.Block($"for (nuint c = 0; c < {looped * width}; c += {width})"))
                    {
                        EmitTaps(w, width, kernel, t => LoadAt(width, "input", "c", t), "acc");
                        w.Line(Store(width, "acc", "ref result, c") + ";");
                    }
                }

                foreach (RowSegment segment in body.Segments.Skip(looped))
                {
                    using (w.Block(""))
                    {
                        EmitTaps(w, segment.Width, kernel, t => Load(segment.Width, "input", segment.Offset + t), "acc");
                        w.Line(segment.Width == 1 ? $"global::System.Runtime.CompilerServices.Unsafe.Add(ref result, {segment.Offset}) = acc;" : Store(segment.Width, "acc", $"ref result, {segment.Offset}") + ";");
                    }
                }
            }

            w.Line();
        }
    }

    private static void EmitTaps(SourceWriter w, int width, int kernel, System.Func<int, string> load, string acc)
    {
        string tap(int t) => width == 1 ? $"tap{t}" : $"tap{width * 32}_{t}";
        w.Line($"{TypeOf(width)} {acc} = {tap(0)} * {load(0)};");
        for (int t = 1; t < kernel; t++)
        {
            w.Line(width == 1
                ? $"{acc} += {tap(t)} * {load(t)};"
                : $"{acc} = {MultiplyAdd(width, tap(t), load(t), acc)};");
        }
    }

    public static string SpatialConvName(int kernel) => $"SpatialConv{kernel}x{kernel}";

    /// <summary>
    /// CBAM's spatial convolution: <c>output[y, x] = Σ_{m, dy, dx} kernel[m, dy, dx] · padded[m, y + dy, x + dx]</c> over the
    /// two zero-padded maps (mean, max). Vectorized along x; each kernel row is unrolled; a row narrower than a register
    /// falls to the next narrower path, and a ragged end is covered by one overlapping vector.
    /// </summary>
    public static void EmitSpatialConv(SourceWriter w, int kernel)
    {
        string name = SpatialConvName(kernel);
        int halo = kernel - 1;
        w.Line($"/// <summary>");
        w.Line($"/// <c>output[y, x] = Σ_(m, dy, dx) kernel[m, dy, dx] · padded[m, y + dy, x + dx]</c>: the {kernel}×{kernel} convolution over the");
        w.Line($"/// (mean, max) maps, each zero-padded to <c>[height + {halo}, width + {halo}]</c>.");
        w.Line($"/// </summary>");
        using (w.Block($"private static void {name}(global::Attend.KernelPath path, global::System.ReadOnlySpan<float> padded, global::System.ReadOnlySpan<float> kernel, int height, int width, global::System.Span<float> output)"))
        {
            w.Line($"int paddedWidth = width + {halo};");
            w.Line($"int mapStride = (height + {halo}) * paddedWidth;");
            VectorCode.References(w, ("input", "padded"), ("taps", "kernel"), ("result", "output"));
            using (w.Block("for (int y = 0; y < height; y++)"))
            {
                w.Line("ref float inputRow = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref input, y * paddedWidth);");
                w.Line("ref float outputRow = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref result, y * width);");
                using (w.Block("switch (path)"))
                {
                    foreach ((string path, _) in Paths)
                    {
                        w.Line($"case global::Attend.KernelPath.{path}: {name}Row_{Short(path)}(ref inputRow, ref taps, paddedWidth, mapStride, width, ref outputRow); break;");
                    }

                    w.Line($"default: {name}Row_Scalar(ref inputRow, ref taps, paddedWidth, mapStride, width, ref outputRow); break;");
                }
            }
        }

        w.Line();
        const string rowParameters = "ref float input, ref float kernel, int paddedWidth, int mapStride, int width, ref float output";
        for (int p = 0; p < Paths.Length; p++)
        {
            (string path, int width) = Paths[p];
            string narrower = p + 1 < Paths.Length ? $"{name}Row_{Short(Paths[p + 1].Path)}" : $"{name}Row_Scalar";
            string tile = $"{name}Tile_{Short(path)}";
            w.Line($"// {path}: {width} output columns per register.");
            using (w.Block($"private static void {name}Row_{Short(path)}({rowParameters})"))
            {
                using (w.Block($"if (width < {width})"))
                {
                    w.Line($"{narrower}(ref input, ref kernel, paddedWidth, mapStride, width, ref output);");
                    w.Line("return;");
                }

                w.Line();
                w.Line("int x = 0;");
                w.Line($"for (; x <= width - {width}; x += {width}) {Store(width, $"{tile}(ref global::System.Runtime.CompilerServices.Unsafe.Add(ref input, x), ref kernel, paddedWidth, mapStride)", "ref output, (nuint)x")};");
                w.Line("// A ragged end: one more register ending at the last column; the columns it repeats get the same values.");
                w.Line($"if (x < width) {Store(width, $"{tile}(ref global::System.Runtime.CompilerServices.Unsafe.Add(ref input, width - {width}), ref kernel, paddedWidth, mapStride)", $"ref output, (nuint)(width - {width})")};");
            }

            w.Line();
            string type = TypeOf(width);
            w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
            using (w.Block($"private static {type} {tile}(ref float origin, ref float kernel, int paddedWidth, int mapStride)"))
            {
                w.Line("// Two accumulators (even and odd taps) halve the FMA dependency chain.");
                w.Line($"{type} even = {type}.Zero;");
                w.Line($"{type} odd = {type}.Zero;");
                using (w.Block("for (int map = 0; map < 2; map++)"))
                {
                    using (w.Block($"for (int dy = 0; dy < {kernel}; dy++)"))
                    {
                        w.Line("ref float row = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref origin, map * mapStride + dy * paddedWidth);");
                        w.Line($"ref float taps = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref kernel, (map * {kernel} + dy) * {kernel});");
                        for (int dx = 0; dx < kernel; dx++)
                        {
                            string acc = dx % 2 == 0 ? "even" : "odd";
                            w.Line($"{acc} = {MultiplyAdd(width, Broadcast(width, Load(1, "taps", dx)), Load(width, "row", dx), acc)};");
                        }
                    }
                }

                w.Line();
                w.Line("return even + odd;");
            }

            w.Line();
        }

        w.Line("// Scalar: the reference every vector path is tested against.");
        using (w.Block($"private static void {name}Row_Scalar({rowParameters})"))
        {
            using (w.Block("for (int x = 0; x < width; x++)"))
            {
                w.Line("float sum = 0f;");
                using (w.Block("for (int map = 0; map < 2; map++)"))
                {
                    using (w.Block($"for (int dy = 0; dy < {kernel}; dy++)"))
                    {
                        w.Line("ref float row = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref input, map * mapStride + dy * paddedWidth + x);");
                        w.Line($"ref float taps = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref kernel, (map * {kernel} + dy) * {kernel});");
                        w.Line($"for (int dx = 0; dx < {kernel}; dx++) sum += global::System.Runtime.CompilerServices.Unsafe.Add(ref taps, dx) * global::System.Runtime.CompilerServices.Unsafe.Add(ref row, dx);");
                    }
                }

                w.Line("global::System.Runtime.CompilerServices.Unsafe.Add(ref output, x) = sum;");
            }
        }

        w.Line();
    }
}
