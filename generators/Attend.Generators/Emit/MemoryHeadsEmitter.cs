using static Attend.Generators.Emit.RowKernelText;
using static Attend.Generators.Emit.VectorCode;

namespace Attend.Generators.Emit;

/// <summary>Writes a <c>[MemoryHeads]</c> class: Neural Turing Machine addressing, read and write over a memory of constant shape.</summary>
internal static class MemoryHeadsEmitter
{
    private const string KernelsName = "MemoryRowKernels";

    public static string Emit(MemoryHeadsPlan plan) => Emit(plan.Spec, plan);

    private static string Emit(MemoryHeadsSpec spec, MemoryHeadsPlan plan) =>
        TypeShellEmitter.Emit(
            spec.Identity,
            $"Neural Turing Machine heads over a memory of {spec.MemoryRows} locations × {spec.MemoryWidth}: content and location addressing, read, erase-and-add write.",
            Remarks(spec, plan),
            w =>
            {
                EmitConstants(w, spec);
                EmitContentWeights(w);
                EmitAddress(w);
                EmitRead(w);
                EmitWrite(w);
                EmitKernels(w, spec, plan);
            });

    private static string[] Remarks(MemoryHeadsSpec spec, MemoryHeadsPlan plan)
    {
        var remarks = new List<string>
        {
            $"Specialized at compile time: MemoryRows N = {spec.MemoryRows}, MemoryWidth W = {spec.MemoryWidth}, ShiftRadius R = {spec.ShiftRadius} ({2 * spec.ShiftRadius + 1} shift offsets), ε = {Literals.Float(spec.Epsilon)}.",
            "Content addressing fuses, per memory row, the dot product with the key and the row's squared norm in one pass: K_i = k·M_i / (|M_i|·|k| + ε); w = softmax(β·K) with the maximum subtracted.",
            spec.ShiftRadius == 0
                ? "ShiftRadius 0: the shift is a single tap (the identity up to the shift weight), written without wrap-around."
                : $"The circular shift has its {2 * spec.ShiftRadius + 1} taps unrolled; only the first and last {spec.ShiftRadius} locations wrap around, the rest index directly.",
            "Multiple heads write as in the paper: every head's erase is applied, then every head's add, so the order of heads does not matter.",
        };
        foreach ((string path, int width) in Paths)
        {
            IReadOnlyList<RowSegment> segments = plan.Location.On(path).AsImmutableArray();
            remarks.Add($"{path}: a memory row of W = {Layout(segments)}{(segments.Count == RegisterCount(segments) ? " (no remainder)" : "")}.");
        }

        return remarks.ToArray();
    }

    private static void EmitConstants(SourceWriter w, MemoryHeadsSpec spec)
    {
        w.Line("/// <summary>Number of memory locations N.</summary>");
        w.Line($"public const int MemoryRows = {spec.MemoryRows};");
        w.Line();
        w.Line("/// <summary>Width W of one memory location.</summary>");
        w.Line($"public const int MemoryWidth = {spec.MemoryWidth};");
        w.Line();
        w.Line("/// <summary>Largest shift R; shift weightings cover offsets −R..R.</summary>");
        w.Line($"public const int ShiftRadius = {spec.ShiftRadius};");
        w.Line();
        w.Line("/// <summary>Entries of one shift weighting: <c>2·ShiftRadius + 1</c>; entry <c>k</c> weighs offset <c>k − ShiftRadius</c>.</summary>");
        w.Line("public const int Shifts = 2 * ShiftRadius + 1;");
        w.Line();
        w.Line($"private const float Epsilon = {Literals.Float(spec.Epsilon)};");
        w.Line("private const int MemoryLength = MemoryRows * MemoryWidth;");
        w.Line();
        LayerMembers.PathProperty(w, attributed: false);
    }

    private static void CheckMemoryAndHeads(SourceWriter w, string memoryName)
    {
        w.Line("global::Attend.Kernels.ArgumentChecks.Positive(batch, nameof(batch));");
        w.Line("global::Attend.Kernels.ArgumentChecks.Positive(heads, nameof(heads));");
        w.Line($"global::Attend.Kernels.ArgumentChecks.Length({memoryName}.Length, (long)batch * MemoryLength, nameof({memoryName}), $\"batch × MemoryRows × MemoryWidth = {{batch}} × {{MemoryRows}} × {{MemoryWidth}}\");");
    }

    private static void Check(SourceWriter w, string name, string perHead, string formula) =>
        w.Line($"global::Attend.Kernels.ArgumentChecks.Length({name}.Length, (long)batch * heads{(perHead.Length > 0 ? " * " + perHead : "")}, nameof({name}), $\"batch × heads{(formula.Length > 0 ? " × " + formula : "")} = {{batch}} × {{heads}}{(perHead.Length > 0 ? $" × {{{perHead}}}" : "")}\");");

    private static void EmitContentWeights(SourceWriter w)
    {
        w.Lines("""
            /// <summary>
            /// Content addressing: <c>K_i = k·M_i / (|k|·|M_i| + ε)</c>, <c>w = softmax_i(β·K)</c> for every batch item and head.
            /// </summary>
            """);
        LayerMembers.Params(w, ("memory", "<c>[batch, MemoryRows, MemoryWidth]</c>."), ("key", "<c>[batch, heads, MemoryWidth]</c>."), ("strength", "Key strength β ≥ 0 (after softplus), <c>[batch, heads]</c>."), ("weights", "Receives <c>[batch, heads, MemoryRows]</c>."), ("batch", "Number of memories."), ("heads", "Heads per memory; default 1."), ("similarity", "Optional; receives the cosine similarities K <c>[batch, heads, MemoryRows]</c>."));
        using (LayerMembers.OpenChecked(w, "public void ContentWeights(global::System.ReadOnlySpan<float> memory, global::System.ReadOnlySpan<float> key, global::System.ReadOnlySpan<float> strength, global::System.Span<float> weights, int batch, int heads = 1, global::System.Span<float> similarity = default)", "A length does not match; thrown before anything is written."))
        {
            CheckMemoryAndHeads(w, "memory");
            Check(w, "key", "MemoryWidth", "MemoryWidth");
            Check(w, "strength", "", "");
            Check(w, "weights", "MemoryRows", "MemoryRows");
            w.Line("if (!similarity.IsEmpty) " + CheckText("similarity", "MemoryRows", "MemoryRows"));
            w.Line("global::Attend.KernelPath path = global::Attend.Kernels.KernelPaths.Resolve(Path);");
            using (w.Block("for (int head = 0; head < batch * heads; head++)"))
            {
                w.Line("global::System.ReadOnlySpan<float> rows = memory.Slice(head / heads * MemoryLength, MemoryLength);");
                w.Line("global::System.Span<float> focus = weights.Slice(head * MemoryRows, MemoryRows);");
                w.Line($"{KernelsName}.Similarities(path, rows, key.Slice(head * MemoryWidth, MemoryWidth), focus);");
                w.Line("if (!similarity.IsEmpty) focus.CopyTo(similarity.Slice(head * MemoryRows, MemoryRows));");
                w.Line("global::Attend.Kernels.MemoryKernels.FocusByContent(focus, strength[head]);");
            }
        }

        w.Line();
    }

    private static string CheckText(string name, string perHead, string formula) =>
        $"global::Attend.Kernels.ArgumentChecks.Length({name}.Length, (long)batch * heads * {perHead}, nameof({name}), $\"batch × heads × {formula} = {{batch}} × {{heads}} × {{{perHead}}}\");";

    private static void EmitAddress(SourceWriter w)
    {
        w.Lines("""
            /// <summary>
            /// The full addressing pipeline of Graves et al. (2014), §3.3: content focus <c>w_c = softmax(β·K)</c>; interpolation
            /// <c>w_g = g·w_c + (1 − g)·w_prev</c>; circular shift <c>w̃_i = Σ_k s_k · w_g[(i − (k − R)) mod N]</c>; sharpening
            /// <c>w_i = w̃_i^γ / Σ_j w̃_j^γ</c>.
            /// </summary>
            """);
        LayerMembers.Params(w, ("memory", "<c>[batch, MemoryRows, MemoryWidth]</c>."), ("key", "<c>[batch, heads, MemoryWidth]</c>."), ("strength", "Key strength β ≥ 0, <c>[batch, heads]</c>."), ("gate", "Interpolation gate g ∈ [0, 1] (after sigmoid), <c>[batch, heads]</c>."), ("shift", "Shift weighting over offsets −R..R (after softmax), <c>[batch, heads, Shifts]</c>; entry <c>k</c> moves focus by <c>k − ShiftRadius</c> locations."), ("sharpening", "γ ≥ 1 (after 1 + softplus), <c>[batch, heads]</c>."), ("previousWeights", "The previous step's weighting <c>[batch, heads, MemoryRows]</c>."), ("weights", "Receives <c>[batch, heads, MemoryRows]</c>."), ("batch", "Number of memories."), ("heads", "Heads per memory; default 1."));
        using (LayerMembers.OpenChecked(w, "public void Address(global::System.ReadOnlySpan<float> memory, global::System.ReadOnlySpan<float> key, global::System.ReadOnlySpan<float> strength, global::System.ReadOnlySpan<float> gate, global::System.ReadOnlySpan<float> shift, global::System.ReadOnlySpan<float> sharpening, global::System.ReadOnlySpan<float> previousWeights, global::System.Span<float> weights, int batch, int heads = 1)", "A length does not match; thrown before anything is written."))
        {
            CheckMemoryAndHeads(w, "memory");
            Check(w, "key", "MemoryWidth", "MemoryWidth");
            Check(w, "strength", "", "");
            Check(w, "gate", "", "");
            Check(w, "shift", "Shifts", "Shifts");
            Check(w, "sharpening", "", "");
            Check(w, "previousWeights", "MemoryRows", "MemoryRows");
            Check(w, "weights", "MemoryRows", "MemoryRows");
            w.Line("global::Attend.KernelPath path = global::Attend.Kernels.KernelPaths.Resolve(Path);");
            w.Line("float[] scratch = global::System.Buffers.ArrayPool<float>.Shared.Rent(2 * MemoryRows);");
            using (w.Block("try"))
            {
                w.Line("global::System.Span<float> content = global::System.MemoryExtensions.AsSpan(scratch, 0, MemoryRows);");
                w.Line("global::System.Span<float> gated = global::System.MemoryExtensions.AsSpan(scratch, MemoryRows, MemoryRows);");
                using (w.Block("for (int head = 0; head < batch * heads; head++)"))
                {
                    w.Line("global::System.ReadOnlySpan<float> rows = memory.Slice(head / heads * MemoryLength, MemoryLength);");
                    w.Line($"{KernelsName}.Similarities(path, rows, key.Slice(head * MemoryWidth, MemoryWidth), content);");
                    w.Lines("""
                        global::Attend.Kernels.MemoryKernels.FocusByContent(content, strength[head]);
                        global::Attend.Kernels.MemoryKernels.Interpolate(content, previousWeights.Slice(head * MemoryRows, MemoryRows), gate[head], gated);
                        global::System.Span<float> focus = weights.Slice(head * MemoryRows, MemoryRows);
                        """);
                    w.Line($"{KernelsName}.Shift(gated, shift.Slice(head * Shifts, Shifts), focus);");
                    w.Line("global::Attend.Kernels.MemoryKernels.Sharpen(focus, sharpening[head]);");
                }
            }

            using (w.Block("finally"))
            {
                w.Line("global::System.Buffers.ArrayPool<float>.Shared.Return(scratch);");
            }
        }

        w.Line();
    }

    private static void EmitRead(SourceWriter w)
    {
        w.Line("/// <summary>Reads <c>r = Σ_i w_i · M_i</c> for every batch item and head.</summary>");
        LayerMembers.Params(w, ("memory", "<c>[batch, MemoryRows, MemoryWidth]</c>."), ("weights", "<c>[batch, heads, MemoryRows]</c>."), ("reads", "Receives <c>[batch, heads, MemoryWidth]</c>."), ("batch", "Number of memories."), ("heads", "Heads per memory; default 1."));
        using (LayerMembers.OpenChecked(w, "public void Read(global::System.ReadOnlySpan<float> memory, global::System.ReadOnlySpan<float> weights, global::System.Span<float> reads, int batch, int heads = 1)", "A length does not match; thrown before anything is written."))
        {
            CheckMemoryAndHeads(w, "memory");
            Check(w, "weights", "MemoryRows", "MemoryRows");
            Check(w, "reads", "MemoryWidth", "MemoryWidth");
            w.Line("global::Attend.KernelPath path = global::Attend.Kernels.KernelPaths.Resolve(Path);");
            using (w.Block("for (int head = 0; head < batch * heads; head++)"))
            {
                w.Line($"{KernelsName}.ReadRows(path, weights.Slice(head * MemoryRows, MemoryRows), memory.Slice(head / heads * MemoryLength, MemoryLength), reads.Slice(head * MemoryWidth, MemoryWidth));");
            }
        }

        w.Line();
    }

    private static void EmitWrite(SourceWriter w)
    {
        w.Lines("""
            /// <summary>
            /// Writes in place: <c>M_i ← M_i ∘ Π_h (1 − w_h,i · e_h) + Σ_h w_h,i · a_h</c> (erase, then add; one head gives the paper's
            /// <c>M ∘ (1 − w eᵀ) + w aᵀ</c>).
            /// </summary>
            """);
        LayerMembers.Params(w, ("memory", "<c>[batch, MemoryRows, MemoryWidth]</c>, updated in place."), ("weights", "<c>[batch, heads, MemoryRows]</c>."), ("erase", "Erase vectors e ∈ [0, 1] (after sigmoid), <c>[batch, heads, MemoryWidth]</c>."), ("add", "Add vectors a, <c>[batch, heads, MemoryWidth]</c>."), ("batch", "Number of memories."), ("heads", "Write heads per memory; default 1."));
        using (LayerMembers.OpenChecked(w, "public void Write(global::System.Span<float> memory, global::System.ReadOnlySpan<float> weights, global::System.ReadOnlySpan<float> erase, global::System.ReadOnlySpan<float> add, int batch, int heads = 1)", "A length does not match; thrown before anything is written."))
        {
            CheckMemoryAndHeads(w, "memory");
            Check(w, "weights", "MemoryRows", "MemoryRows");
            Check(w, "erase", "MemoryWidth", "MemoryWidth");
            Check(w, "add", "MemoryWidth", "MemoryWidth");
            w.Line("global::Attend.KernelPath path = global::Attend.Kernels.KernelPaths.Resolve(Path);");
            using (w.Block("for (int b = 0; b < batch; b++)"))
            {
                w.Line($"{KernelsName}.WriteRows(path, memory.Slice(b * MemoryLength, MemoryLength), weights.Slice(b * heads * MemoryRows, heads * MemoryRows), erase.Slice(b * heads * MemoryWidth, heads * MemoryWidth), add.Slice(b * heads * MemoryWidth, heads * MemoryWidth), heads);");
            }
        }

        w.Line();
    }

    private static string Name(string kernel, MemoryHeadsSpec spec, string path) => $"{kernel}_W{spec.MemoryWidth}_{Short(path)}";

    private static void EmitKernels(SourceWriter w, MemoryHeadsSpec spec, MemoryHeadsPlan plan)
    {
        w.Line($"/// <summary>Memory row loops for N = {spec.MemoryRows}, W = {spec.MemoryWidth}: one method per instruction set, sizes constant.</summary>");
        w.Line(GeneratedCode.Attribute);
        using (w.Block($"private static class {KernelsName}"))
        {
            w.Line($"private const int N = {spec.MemoryRows};");
            w.Line($"private const int W = {spec.MemoryWidth};");
            w.Line();
            using (w.Block("public static void Similarities(global::Attend.KernelPath path, global::System.ReadOnlySpan<float> memory, global::System.ReadOnlySpan<float> key, global::System.Span<float> similarity)"))
            {
                Dispatch(w, p => Name("Similarities", spec, p), "memory, key, similarity");
            }

            w.Line();
            using (w.Block("public static void ReadRows(global::Attend.KernelPath path, global::System.ReadOnlySpan<float> weights, global::System.ReadOnlySpan<float> memory, global::System.Span<float> read)"))
            {
                Dispatch(w, p => Name("ReadRows", spec, p), "weights, memory, read");
            }

            w.Line();
            using (w.Block("public static void WriteRows(global::Attend.KernelPath path, global::System.Span<float> memory, global::System.ReadOnlySpan<float> weights, global::System.ReadOnlySpan<float> erase, global::System.ReadOnlySpan<float> add, int heads)"))
            {
                Dispatch(w, p => Name("WriteRows", spec, p), "memory, weights, erase, add, heads");
            }

            w.Line();
            EmitShift(w, spec);
            EmitScalarKernels(w, spec);
            foreach ((string path, int width) in Paths)
            {
                IReadOnlyList<RowSegment> segments = plan.Location.On(path).AsImmutableArray();
                EmitSimilarities(w, spec, path, segments);
                EmitReadRows(w, spec, path, segments);
                EmitWriteRows(w, spec, path, segments);
            }
        }
    }

    private static void EmitShift(SourceWriter w, MemoryHeadsSpec spec)
    {
        int r = spec.ShiftRadius;
        int taps = 2 * r + 1;
        w.Line($"// Circular convolution with {taps} taps: shifted[i] = Σ_k shift[k] · gated[(i − (k − R)) mod N], R = {r}.");
        using (w.Block("public static void Shift(global::System.ReadOnlySpan<float> gated, global::System.ReadOnlySpan<float> shift, global::System.Span<float> shifted)"))
        {
            w.Line($"global::System.ReadOnlySpan<float> g = gated.Slice(0, N);");
            w.Line($"global::System.Span<float> o = shifted.Slice(0, N);");
            for (int k = 0; k < taps; k++) w.Line($"float s{k} = shift[{k}];");
            string Term(int k, string index) => $"s{k} * g[{index}]";
            string Offset(int k) => (r - k) switch { 0 => "i", > 0 => $"i + {r - k}", _ => $"i - {k - r}" };
            string interior = string.Join(" + ", Enumerable.Range(0, taps).Select(k => Term(k, Offset(k))));
            if (r == 0)
            {
                w.Line($"for (int i = 0; i < N; i++) o[i] = {interior};");
            }
            else
            {
                string wrapped = string.Join(" + ", Enumerable.Range(0, taps).Select(k => Term(k, $"({Offset(k)} + N) % N")));
                w.Line($"// Locations {r}..N − {r + 1} read only their own neighbourhood: no wrap-around.");
                w.Line($"for (int i = {r}; i < N - {r}; i++) o[i] = {interior};");
                w.Line($"for (int i = 0; i < {r}; i++) o[i] = {wrapped};");
                w.Line($"for (int i = N - {r}; i < N; i++) o[i] = {wrapped};");
            }
        }

        w.Line();
    }

    private static void EmitScalarKernels(SourceWriter w, MemoryHeadsSpec spec)
    {
        w.Line("// Scalar: the reference every vector path is tested against, and the path on machines without SIMD.");
        using (w.Block($"private static void {Name("Similarities", spec, "Scalar")}(global::System.ReadOnlySpan<float> memory, global::System.ReadOnlySpan<float> key, global::System.Span<float> similarity)"))
        {
            w.Lines("""
                global::System.ReadOnlySpan<float> k = key.Slice(0, W);
                float keySquares = 0f;
                for (int c = 0; c < W; c++) keySquares += k[c] * k[c];
                float keyNorm = global::System.MathF.Sqrt(keySquares);
                """);
            using (w.Block("for (int i = 0; i < N; i++)"))
            {
                w.Line("global::System.ReadOnlySpan<float> row = memory.Slice(i * W, W);");
                w.Line("float dot = 0f, squares = 0f;");
                using (w.Block("for (int c = 0; c < W; c++)"))
                {
                    w.Line("dot += k[c] * row[c];");
                    w.Line("squares += row[c] * row[c];");
                }

                w.Line("similarity[i] = dot / (global::System.MathF.Sqrt(squares) * keyNorm + Epsilon);");
            }
        }

        w.Line();
        using (w.Block($"private static void {Name("ReadRows", spec, "Scalar")}(global::System.ReadOnlySpan<float> weights, global::System.ReadOnlySpan<float> memory, global::System.Span<float> read)"))
        {
            w.Line("global::System.Span<float> r = read.Slice(0, W);");
            w.Line("r.Clear();");
            using (w.Block("for (int i = 0; i < N; i++)"))
            {
                w.Lines("""
                    global::System.ReadOnlySpan<float> row = memory.Slice(i * W, W);
                    float weight = weights[i];
                    for (int c = 0; c < W; c++) r[c] += weight * row[c];
                    """);
            }
        }

        w.Line();
        using (w.Block($"private static void {Name("WriteRows", spec, "Scalar")}(global::System.Span<float> memory, global::System.ReadOnlySpan<float> weights, global::System.ReadOnlySpan<float> erase, global::System.ReadOnlySpan<float> add, int heads)"))
        {
            using (w.Block("for (int i = 0; i < N; i++)"))
            {
                w.Line("global::System.Span<float> row = memory.Slice(i * W, W);");
                using (w.Block("for (int h = 0; h < heads; h++)"))
                {
                    w.Lines("""
                        float weight = weights[h * N + i];
                        global::System.ReadOnlySpan<float> e = erase.Slice(h * W, W);
                        for (int c = 0; c < W; c++) row[c] *= 1f - weight * e[c];
                        """);
                }

                using (w.Block("for (int h = 0; h < heads; h++)"))
                {
                    w.Lines("""
                        float weight = weights[h * N + i];
                        global::System.ReadOnlySpan<float> a = add.Slice(h * W, W);
                        for (int c = 0; c < W; c++) row[c] += weight * a[c];
                        """);
                }
            }
        }

        w.Line();
    }

    private static void EmitSimilarities(SourceWriter w, MemoryHeadsSpec spec, string path, IReadOnlyList<RowSegment> segments)
    {
        bool held = RegisterCount(segments) <= MaxAccumulatorRegisters;
        w.Line($"// {path}: W = {Layout(segments)}; " + (held
            ? "the key stays in registers across all N rows; each row is loaded once for its dot product and its norm."
            : "the key is reloaded from L1 per row (holding it would spill); each row is loaded once for its dot product and its norm."));
        using (w.Block($"private static void {Name("Similarities", spec, path)}(global::System.ReadOnlySpan<float> memory, global::System.ReadOnlySpan<float> key, global::System.Span<float> similarity)"))
        {
            VectorCode.References(w, ("k", "key"), ("m", "memory"), ("s", "similarity"));
            if (held)
            {
                foreach (RowSegment segment in segments) w.Line($"{TypeOf(segment.Width)} k{segment.Offset} = {Load(segment, "k")};");
            }

            string KeyAt(RowSegment segment) => held ? $"k{segment.Offset}" : Load(segment, "k");
            string keySquares = Dot(w, segments, "keySquares", KeyAt, KeyAt);
            w.Line($"float keyNorm = global::System.MathF.Sqrt({keySquares});");
            using (w.Block("for (int i = 0; i < N; i++)"))
            {
                w.Line("ref float row = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref m, i * W);");
                foreach (RowSegment segment in segments) w.Line($"{TypeOf(segment.Width)} r{segment.Offset} = {Load(segment, "row")};");
                string dot = Dot(w, segments, "dot", KeyAt, seg => $"r{seg.Offset}");
                string squares = Dot(w, segments, "squares", seg => $"r{seg.Offset}", seg => $"r{seg.Offset}");
                w.Line($"global::System.Runtime.CompilerServices.Unsafe.Add(ref s, i) = {dot} / (global::System.MathF.Sqrt({squares}) * keyNorm + Epsilon);");
            }
        }

        w.Line();
    }

    private static void EmitReadRows(SourceWriter w, MemoryHeadsSpec spec, string path, IReadOnlyList<RowSegment> segments)
    {
        int blocks = Blocks(segments).Count;
        w.Line($"// {path}: W = {Layout(segments)}; " + (blocks == 1
            ? "the read vector stays in registers over all N rows and is stored once."
            : $"{blocks} column blocks of at most {MaxAccumulatorRegisters} registers, each streaming the rows once."));
        using (w.Block($"private static void {Name("ReadRows", spec, path)}(global::System.ReadOnlySpan<float> weights, global::System.ReadOnlySpan<float> memory, global::System.Span<float> read)"))
        {
            VectorCode.References(w, ("p", "weights"), ("m", "memory"), ("o", "read"));
            WeightedRows(w, segments, "for (int i = 0; i < N; i++)", "ref float row = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref m, i * W);", "float weight = global::System.Runtime.CompilerServices.Unsafe.Add(ref p, i);", "o");
        }

        w.Line();
    }

    private static void EmitWriteRows(SourceWriter w, MemoryHeadsSpec spec, string path, IReadOnlyList<RowSegment> segments)
    {
        List<List<RowSegment>> blocks = Blocks(segments);
        w.Line($"// {path}: W = {Layout(segments)}; each row is loaded into registers, erased and added by every head, and stored once" + (blocks.Count > 1 ? $" ({blocks.Count} column blocks)." : "."));
        using (w.Block($"private static void {Name("WriteRows", spec, path)}(global::System.Span<float> memory, global::System.ReadOnlySpan<float> weights, global::System.ReadOnlySpan<float> erase, global::System.ReadOnlySpan<float> add, int heads)"))
        {
            VectorCode.References(w, ("m", "memory"), ("p", "weights"), ("e", "erase"), ("a", "add"));
            using (w.Block("for (int i = 0; i < N; i++)"))
            {
                w.Line("ref float row = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref m, i * W);");
                foreach (List<RowSegment> block in blocks)
                {
                    using (blocks.Count > 1 ? w.Block("") : default)
                    {
                        foreach (RowSegment segment in block) w.Line($"{TypeOf(segment.Width)} r{segment.Offset} = {Load(segment, "row")};");
                        foreach (string phase in new[] { "erase", "add" })
                        {
                            using (w.Block("for (int h = 0; h < heads; h++)"))
                            {
                                w.Line("float weight = global::System.Runtime.CompilerServices.Unsafe.Add(ref p, h * N + i);");
                                w.Line($"ref float {phase}Row = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref {(phase == "erase" ? "e" : "a")}, h * W);");
                                foreach (int width in block.Select(s => s.Width).Where(x => x > 1).Distinct())
                                {
                                    w.Line($"{TypeOf(width)} weight{width * 32} = {Broadcast(width, "weight")};");
                                }

                                foreach (RowSegment segment in block)
                                {
                                    string r = $"r{segment.Offset}";
                                    string one = segment.Width == 1 ? "1f" : $"{TypeOf(segment.Width)}.One";
                                    string weight = segment.Width == 1 ? "weight" : $"weight{segment.Width * 32}";
                                    string vector = Load(segment, phase + "Row");
                                    w.Line(phase == "erase"
                                        ? $"{r} *= {one} - {weight} * {vector};"
                                        : segment.Width == 1 ? $"{r} += weight * {vector};" : $"{r} = {MultiplyAdd(segment.Width, weight, vector, r)};");
                                }
                            }
                        }

                        foreach (RowSegment segment in block) w.Line(Store(segment, $"r{segment.Offset}", "row"));
                    }
                }
            }
        }

        w.Line();
    }
}
