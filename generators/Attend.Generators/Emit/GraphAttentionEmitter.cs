using static Attend.Generators.Emit.RowKernelText;
using static Attend.Generators.Emit.VectorCode;

namespace Attend.Generators.Emit;

/// <summary>Writes a <c>[GraphAttention]</c> class: constants, weights, <c>LoadWeights</c>, two <c>Forward</c> overloads (edge list, prebuilt neighbourhoods) and its per-head kernels.</summary>
internal static class GraphAttentionEmitter
{
    private const string KernelsName = "GraphHeadKernels";

    public static string Emit(GraphAttentionPlan plan) => Emit(plan.Spec, plan);

    private static string Emit(GraphAttentionSpec spec, GraphAttentionPlan plan) =>
        TypeShellEmitter.Emit(
            spec.Identity,
            $"Graph attention ({(spec.ScoresPairs ? "GATv2" : "GAT")}), {spec.InFeatures} → {spec.Heads} heads × {spec.OutFeatures} features, {(spec.MeanOverHeads ? "averaged" : "concatenated")}, over incoming edges given at run time.",
            Remarks(spec, plan),
            w =>
            {
                EmitConstants(w, spec);
                EmitFields(w, spec);
                EmitLoadWeights(w, spec);
                EmitForwardEdgeList(w);
                EmitForwardNeighbourhoods(w, spec);
                EmitRun(w, spec);
                EmitKernels(w, spec, plan);
            });

    private static bool SlopeIsMax(float slope) => slope >= 0f && slope <= 1f;

    private static string[] Remarks(GraphAttentionSpec spec, GraphAttentionPlan plan)
    {
        var remarks = new List<string>
        {
            $"Specialized at compile time: InFeatures = {spec.InFeatures}, Heads = {spec.Heads}, OutFeatures (F′) = {spec.OutFeatures}, " +
            (spec.MeanOverHeads ? $"heads averaged into {spec.OutFeatures} outputs per node" : $"heads concatenated into {spec.Heads * spec.OutFeatures} outputs per node (head-major)") +
            $", LeakyReLU slope {Literals.Float(spec.NegativeSlope)}, {(spec.Bias ? "with" : "no")} bias.",
            spec.AddSelfLoops
                ? "Self loops: listed ones are dropped and every node gets exactly one, so each node attends to itself once (PyG's add_self_loops)."
                : "Self loops: the edges are used exactly as given; a node attends to itself only through a listed self loop.",
            "Neighbourhoods: incoming edges are grouped by target node (CSR, a counting sort), so scores, softmax and messages cost O(edges · heads · F′); no node × node matrix exists. " +
            "global::Attend.Kernels.Softmax runs per target over its incoming edges with the maximum subtracted; a node with no incoming edge gets zeros, never NaN.",
            spec.ScoresPairs
                ? "GATv2 scoring: e_ij = a · LeakyReLU(h_i + h_j) is computed per edge, with h_i and a loaded once per target node."
                : "GAT scoring: e_ij = LeakyReLU(a[:F′]·h_i + a[F′:]·h_j) splits into one term per node, computed once per node and head; each edge then costs one add and one LeakyReLU.",
        };
        if (spec.ScoresPairs && SlopeIsMax(spec.NegativeSlope))
        {
            remarks.Add($"0 ≤ slope ≤ 1, so the vector kernels compute LeakyReLU(z) as max(z, {Literals.Float(spec.NegativeSlope)}·z), without a compare and blend.");
        }

        foreach ((string path, int width) in Paths)
        {
            IReadOnlyList<RowSegment> segments = plan.Features.On(path).AsImmutableArray();
            remarks.Add($"{path}: a head row of F′ = {Layout(segments)}{(segments.Count == RegisterCount(segments) ? " (no remainder)" : "")}.");
        }

        return remarks.ToArray();
    }

    private static void EmitConstants(SourceWriter w, GraphAttentionSpec spec)
    {
        w.Line("/// <summary>Features per input node.</summary>");
        w.Line($"public const int InFeatures = {spec.InFeatures};");
        w.Line();
        w.Line("/// <summary>Features per head (F′).</summary>");
        w.Line($"public const int OutFeatures = {spec.OutFeatures};");
        w.Line();
        w.Line("/// <summary>Number of attention heads.</summary>");
        w.Line($"public const int Heads = {spec.Heads};");
        w.Line();
        w.Line(spec.MeanOverHeads
            ? "/// <summary>Features per output node: the heads are averaged, so <c>OutFeatures</c>.</summary>"
            : "/// <summary>Features per output node: the heads are concatenated, so <c>Heads · OutFeatures</c>.</summary>");
        w.Line($"public const int OutputWidth = {(spec.MeanOverHeads ? "OutFeatures" : "Heads * OutFeatures")};");
        w.Line();
        w.Line("/// <summary>Whether each node gets exactly one self loop (listed self loops are replaced).</summary>");
        w.Line($"public const bool AddSelfLoops = {(spec.AddSelfLoops ? "true" : "false")};");
        w.Line();
        w.Line("private const int ProjectedWidth = Heads * OutFeatures;");
        w.Line($"private const int AttentionWidth = {(spec.ScoresPairs ? "OutFeatures" : "2 * OutFeatures")};");
        w.Line();
    }

    private static void EmitFields(SourceWriter w, GraphAttentionSpec spec)
    {
        w.Lines("""
            // The weights in use. LoadWeights reads and packs a whole new set, then publishes it with one reference write, so a
            // Forward running meanwhile computes with the old set or the new one, never a mix of the two.
            private LayerWeights _weights = new LayerWeights();
            """);
        w.Line();
        w.Line("// W is packed once, at load time, into the panel layout the projection kernel streams; never written once published.");
        using (w.Block("private sealed class LayerWeights"))
        {
            w.Line("public readonly float[] PackedWeight = new float[global::Attend.Kernels.LinearKernels.PackedLength(InFeatures, ProjectedWidth)];");
            w.Line("public readonly float[] Attention = new float[Heads * AttentionWidth];");
            if (spec.Bias) w.Line("public readonly float[] Bias = new float[OutputWidth];");
        }

        w.Line();
        LayerMembers.ZeroWeightsConstructor(w, spec.Identity.Type.Name);
        LayerMembers.PathProperty(w, attributed: false);
        LayerMembers.ThreadsProperty(w, "Most threads one <see cref=\"Forward(global::System.ReadOnlySpan{float}, global::Attend.GraphNeighbourhoods, global::System.Span{float}, global::System.Span{float})\"/> uses; 1 runs on the caller's thread. Results are identical whatever the value.", attributed: false);
    }

    private static void EmitLoadWeights(SourceWriter w, GraphAttentionSpec spec)
    {
        w.Line("/// <summary>");
        w.Line("/// Loads the layer's <c>state_dict</c>: <c>W.weight</c> [Heads·OutFeatures, InFeatures] (an <c>nn.Linear</c> without bias), " +
               (spec.ScoresPairs ? "<c>a</c> [Heads, OutFeatures]" : "<c>a</c> [Heads, 2·OutFeatures] (first half scores the target node, second half the source)") +
               (spec.Bias ? ", <c>bias</c> [OutputWidth]." : "."));
        w.Lines("""
            /// Every tensor is read and checked before any is applied, so a failed load leaves the layer unchanged.
            /// Safe while <c>Forward</c> runs on other threads: the new weights replace the old all at once when packed,
            /// and a forward pass already running finishes with the weights it started with.
            /// </summary>
            """);
        using (LayerMembers.OpenLoadWeights(w, "The tensors, e.g. <c>SafeTensors.Open(\"gat.safetensors\")</c>; others it holds are ignored.", "Prepended to every name, e.g. <c>\"conv1.\"</c>."))
        {
            w.Line("float[] weight = global::Attend.Kernels.WeightLoading.Read(source, prefix, \"W.weight\", ProjectedWidth, InFeatures);");
            w.Line("float[] attention = global::Attend.Kernels.WeightLoading.Read(source, prefix, \"a\", Heads, AttentionWidth);");
            if (spec.Bias) w.Line("float[] bias = global::Attend.Kernels.WeightLoading.Read(source, prefix, \"bias\", OutputWidth);");
            w.Line();
            w.Lines("""
                var next = new LayerWeights();
                global::Attend.Kernels.LinearKernels.Pack(weight, InFeatures, ProjectedWidth, next.PackedWeight);
                attention.CopyTo(next.Attention, 0);
                """);
            if (spec.Bias) w.Line("bias.CopyTo(next.Bias, 0);");
            w.Line("global::System.Threading.Volatile.Write(ref _weights, next);");
        }

        w.Line();
    }

    private static void EmitForwardEdgeList(SourceWriter w)
    {
        w.Lines("""
            /// <summary>
            /// Runs the layer on a graph given as an edge list: groups the edges by target node (O(nodes + edges), pooled
            /// memory), then attends. To run several layers on one graph, build <see cref="global::Attend.GraphNeighbourhoods"/> once instead.
            /// May be called from many threads at once, also while <see cref="LoadWeights"/> runs: the pass reads the weights once.
            /// </summary>
            """);
        LayerMembers.Params(w, ("x", "Node features <c>[nodes, InFeatures]</c>, row-major."), ("edgeIndex", "<c>[2, edges]</c> as PyG's <c>edge_index</c>: row 0 the source node j, row 1 the target node i of each edge; node i attends to node j."), ("output", "Receives <c>[nodes, OutputWidth]</c>."), ("nodes", "Number of nodes."), ("attentionWeights", "Optional; receives <c>[edges, Heads]</c>, each listed edge's weight α_ij per head (PyG's <c>return_attention_weights</c> layout)."));
        using (LayerMembers.OpenChecked(w, "public void Forward(global::System.ReadOnlySpan<float> x, global::System.ReadOnlySpan<int> edgeIndex, global::System.Span<float> output, int nodes, global::System.Span<float> attentionWeights = default)", "A length does not match, or an edge names a node outside <c>[0, nodes)</c>; thrown before anything is written."))
        {
            w.Lines("""
                global::Attend.Kernels.ArgumentChecks.Positive(nodes, nameof(nodes));
                global::Attend.Kernels.ArgumentChecks.Length(x.Length, (long)nodes * InFeatures, nameof(x), $"nodes × InFeatures = {nodes} × {InFeatures}");
                global::Attend.Kernels.ArgumentChecks.Length(output.Length, (long)nodes * OutputWidth, nameof(output), $"nodes × OutputWidth = {nodes} × {OutputWidth}");
                int slots = global::Attend.Kernels.GraphKernels.IncomingSlotCount(edgeIndex, nodes, AddSelfLoops);
                int edges = edgeIndex.Length / 2;
                if (!attentionWeights.IsEmpty) global::Attend.Kernels.ArgumentChecks.Length(attentionWeights.Length, (long)edges * Heads, nameof(attentionWeights), $"edges × Heads = {edges} × {Heads}");
                long csrLength = nodes + 1L + 2L * slots;
                if (csrLength > global::System.Array.MaxLength || (long)slots * Heads > global::System.Array.MaxLength) throw new global::System.ArgumentException($"{edges} edges over {nodes} nodes need more than one array holds; split the graph.", nameof(edgeIndex));
                """);
            w.Line();
            w.Line("int[] csr = global::System.Buffers.ArrayPool<int>.Shared.Rent((int)csrLength);");
            w.Line("float[]? slotWeights = attentionWeights.IsEmpty ? null : global::System.Buffers.ArrayPool<float>.Shared.Rent(slots * Heads);");
            using (w.Block("try"))
            {
                w.Lines("""
                    global::System.Span<int> offsets = global::System.MemoryExtensions.AsSpan(csr, 0, nodes + 1);
                    global::System.Span<int> sources = global::System.MemoryExtensions.AsSpan(csr, nodes + 1, slots);
                    global::System.Span<int> edgeIds = global::System.MemoryExtensions.AsSpan(csr, nodes + 1 + slots, slots);
                    global::Attend.Kernels.GraphKernels.BuildIncoming(edgeIndex, nodes, AddSelfLoops, offsets, sources, edgeIds);
                    global::System.Span<float> weightsBySlot = slotWeights is null ? default : global::System.MemoryExtensions.AsSpan(slotWeights, 0, slots * Heads);
                    Run(x, offsets, sources, output, nodes, weightsBySlot);
                    if (slotWeights is not null) global::Attend.Kernels.GraphKernels.ScatterEdgeWeights(weightsBySlot, edgeIds, offsets, Heads, edgeIndex, AddSelfLoops, attentionWeights);
                    """);
            }

            using (w.Block("finally"))
            {
                w.Line("global::System.Buffers.ArrayPool<int>.Shared.Return(csr);");
                w.Line("if (slotWeights is not null) global::System.Buffers.ArrayPool<float>.Shared.Return(slotWeights);");
            }
        }

        w.Line();
    }

    private static void EmitForwardNeighbourhoods(SourceWriter w, GraphAttentionSpec spec)
    {
        w.Lines("""
            /// <summary>
            /// Runs the layer on a graph whose incoming edges were grouped once by <see cref="global::Attend.GraphNeighbourhoods"/>; allocates nothing once warm.
            /// May be called from many threads at once, also while <see cref="LoadWeights"/> runs: the pass reads the weights once.
            /// </summary>
            """);
        LayerMembers.Params(w, ("x", "Node features <c>[graph.Nodes, InFeatures]</c>, row-major."), ("graph", "The incoming edges of every node" + (spec.AddSelfLoops ? ", built with <c>addSelfLoops: true</c> (this layer adds self loops)." : "; used as built.")), ("output", "Receives <c>[graph.Nodes, OutputWidth]</c>."), ("attentionWeights", "Optional; receives <c>[graph.EdgeCount, Heads]</c>, the weight of each incoming-edge slot per head, in the graph's slot order."));
        using (LayerMembers.OpenChecked(w, "public void Forward(global::System.ReadOnlySpan<float> x, global::Attend.GraphNeighbourhoods graph, global::System.Span<float> output, global::System.Span<float> attentionWeights = default)", "A length does not match" + (spec.AddSelfLoops ? ", or the graph was built without self loops" : "") + "; thrown before anything is written."))
        {
            w.Line("global::System.ArgumentNullException.ThrowIfNull(graph);");
            if (spec.AddSelfLoops)
            {
                w.Line("if (!graph.SelfLoopsAdded) throw new global::System.ArgumentException(\"This layer adds self loops (AddSelfLoops = true), but graph was built without them: build it with GraphNeighbourhoods.FromEdgeIndex(edgeIndex, nodes, addSelfLoops: true), or declare AddSelfLoops = false if its edges already hold the loops you want.\", nameof(graph));");
            }

            w.Lines("""
                int nodes = graph.Nodes;
                global::Attend.Kernels.ArgumentChecks.Length(x.Length, (long)nodes * InFeatures, nameof(x), $"graph.Nodes × InFeatures = {nodes} × {InFeatures}");
                global::Attend.Kernels.ArgumentChecks.Length(output.Length, (long)nodes * OutputWidth, nameof(output), $"graph.Nodes × OutputWidth = {nodes} × {OutputWidth}");
                if (!attentionWeights.IsEmpty) global::Attend.Kernels.ArgumentChecks.Length(attentionWeights.Length, (long)graph.EdgeCount * Heads, nameof(attentionWeights), $"graph.EdgeCount × Heads = {graph.EdgeCount} × {Heads}");
                Run(x, graph.IncomingOffsets, graph.Sources, output, nodes, attentionWeights);
                """);
        }

        w.Line();
    }

    private static void EmitRun(SourceWriter w, GraphAttentionSpec spec)
    {
        w.Line(GeneratedCode.Attribute);
        using (w.Block("private void Run(global::System.ReadOnlySpan<float> x, global::System.ReadOnlySpan<int> offsets, global::System.ReadOnlySpan<int> sources, global::System.Span<float> output, int nodes, global::System.Span<float> slotWeights)"))
        {
            w.Lines("""
                LayerWeights weights = global::System.Threading.Volatile.Read(ref _weights); // one set for the whole pass
                global::Attend.KernelPath path = global::Attend.Kernels.KernelPaths.Resolve(Path);
                long projectedLength = (long)nodes * ProjectedWidth;
                if (projectedLength > global::System.Array.MaxLength) throw new global::System.ArgumentException($"nodes × Heads × OutFeatures = {projectedLength} floats, more than one array holds; split the graph.", nameof(nodes));
                float[] projected = global::System.Buffers.ArrayPool<float>.Shared.Rent((int)projectedLength);
                """);
            using (w.Block("try"))
            {
                w.Lines("""
                    // h = x·Wᵀ: every head's F′ features side by side in one row per node, [nodes, Heads · OutFeatures].
                    global::System.Span<float> h = global::System.MemoryExtensions.AsSpan(projected, 0, (int)projectedLength);
                    global::Attend.Kernels.ProjectionDriver.Forward(path, x, nodes, InFeatures, weights.PackedWeight, default, InFeatures, ProjectedWidth, h, ProjectedWidth, MaxDegreeOfParallelism);
                    """);
                using (w.Block("var problem = new global::Attend.Kernels.GraphAttentionProblem", ";"))
                {
                    w.Line("Nodes = nodes, Heads = Heads, IncomingOffsets = offsets, Sources = sources,");
                    w.Line($"Features = h, Attention = weights.Attention, MeanOverHeads = {(spec.MeanOverHeads ? "true" : "false")}, Bias = {(spec.Bias ? "weights.Bias" : "default")},");
                    w.Line("Output = output, SlotWeights = slotWeights, Path = path, MaxDegreeOfParallelism = MaxDegreeOfParallelism,");
                }

                w.Line($"global::Attend.Kernels.GraphAttentionDriver.Run<{KernelsName}>(problem);");
            }

            using (w.Block("finally"))
            {
                w.Line("global::System.Buffers.ArrayPool<float>.Shared.Return(projected);");
            }
        }

        w.Line();
    }

    private static string NodeTermsName(GraphAttentionSpec spec, string path) => $"NodeTerms_F{spec.OutFeatures}_{Short(path)}";

    private static string AggregateName(GraphAttentionSpec spec, string path) => $"Aggregate_F{spec.OutFeatures}_{Short(path)}";

    private static string PairScoresName(GraphAttentionSpec spec, string path) => $"PairScores_F{spec.OutFeatures}_{Short(path)}";

    private static void EmitKernels(SourceWriter w, GraphAttentionSpec spec, GraphAttentionPlan plan)
    {
        w.Line($"/// <summary>Graph attention inner loops for F′ = {spec.OutFeatures}: one method per instruction set, sizes constant.</summary>");
        w.Line(GeneratedCode.Attribute);
        using (w.Block($"private readonly struct {KernelsName} : global::Attend.Kernels.IGraphAttentionKernels"))
        {
            w.Line($"private const int F = {spec.OutFeatures};");
            w.Line($"private const float Slope = {Literals.Float(spec.NegativeSlope)};");
            w.Line();
            w.Line("public static int HeadWidth => F;");
            w.Line();
            w.Line("public static float NegativeSlope => Slope;");
            w.Line();
            w.Line($"public static bool ScoresPairs => {(spec.ScoresPairs ? "true" : "false")};");
            w.Line();
            if (spec.ScoresPairs)
            {
                using (w.Block("public static void PairScores(global::Attend.KernelPath path, global::System.ReadOnlySpan<float> target, global::System.ReadOnlySpan<float> attention, global::System.ReadOnlySpan<float> features, int rowStride, global::System.ReadOnlySpan<int> sources, global::System.Span<float> scores)"))
                {
                    Dispatch(w, p => PairScoresName(spec, p), "target, attention, features, rowStride, sources, scores");
                }
            }
            else
            {
                using (w.Block("public static void NodeTerms(global::Attend.KernelPath path, global::System.ReadOnlySpan<float> row, global::System.ReadOnlySpan<float> attention, out float target, out float source)"))
                {
                    Dispatch(w, p => NodeTermsName(spec, p), "row, attention, out target, out source");
                }
            }

            w.Line();
            using (w.Block("public static void Aggregate(global::Attend.KernelPath path, global::System.ReadOnlySpan<float> weights, global::System.ReadOnlySpan<int> sources, global::System.ReadOnlySpan<float> features, int rowStride, global::System.Span<float> output)"))
            {
                Dispatch(w, p => AggregateName(spec, p), "weights, sources, features, rowStride, output");
            }

            w.Line();
            EmitScalarKernels(w, spec);
            foreach ((string path, int width) in Paths)
            {
                IReadOnlyList<RowSegment> segments = plan.Features.On(path).AsImmutableArray();
                if (spec.ScoresPairs) EmitPairScores(w, spec, path, segments);
                else EmitNodeTerms(w, spec, path, segments);
                EmitAggregate(w, spec, path, segments);
            }
        }
    }

    private static void EmitScalarKernels(SourceWriter w, GraphAttentionSpec spec)
    {
        w.Line("// Scalar: the reference every vector path is tested against, and the path on machines without SIMD.");
        if (spec.ScoresPairs)
        {
            using (w.Block($"private static void {PairScoresName(spec, "Scalar")}(global::System.ReadOnlySpan<float> target, global::System.ReadOnlySpan<float> attention, global::System.ReadOnlySpan<float> features, int rowStride, global::System.ReadOnlySpan<int> sources, global::System.Span<float> scores)"))
            {
                using (w.Block("for (int e = 0; e < sources.Length; e++)"))
                {
                    w.Line("global::System.ReadOnlySpan<float> row = features.Slice(sources[e] * rowStride, F);");
                    w.Line("float sum = 0f;");
                    using (w.Block("for (int f = 0; f < F; f++)"))
                    {
                        w.Line("float z = target[f] + row[f];");
                        w.Line("sum += attention[f] * (z > 0f ? z : Slope * z);");
                    }

                    w.Line("scores[e] = sum;");
                }
            }
        }
        else
        {
            using (w.Block($"private static void {NodeTermsName(spec, "Scalar")}(global::System.ReadOnlySpan<float> row, global::System.ReadOnlySpan<float> attention, out float target, out float source)"))
            {
                w.Line("float t = 0f, s = 0f;");
                using (w.Block("for (int f = 0; f < F; f++)"))
                {
                    w.Line("t += attention[f] * row[f];");
                    w.Line("s += attention[F + f] * row[f];");
                }

                w.Line("target = t;");
                w.Line("source = s;");
            }
        }

        w.Line();
        using (w.Block($"private static void {AggregateName(spec, "Scalar")}(global::System.ReadOnlySpan<float> weights, global::System.ReadOnlySpan<int> sources, global::System.ReadOnlySpan<float> features, int rowStride, global::System.Span<float> output)"))
        {
            w.Line("global::System.Span<float> o = output.Slice(0, F);");
            w.Line("o.Clear();");
            using (w.Block("for (int e = 0; e < weights.Length; e++)"))
            {
                w.Lines("""
                    global::System.ReadOnlySpan<float> row = features.Slice(sources[e] * rowStride, F);
                    float weight = weights[e];
                    for (int f = 0; f < F; f++) o[f] += weight * row[f];
                    """);
            }
        }

        w.Line();
    }

    private static void EmitNodeTerms(SourceWriter w, GraphAttentionSpec spec, string path, IReadOnlyList<RowSegment> segments)
    {
        w.Line($"// {path}: F′ = {Layout(segments)}; the row is loaded once and feeds both halves of a.");
        using (w.Block($"private static void {NodeTermsName(spec, path)}(global::System.ReadOnlySpan<float> row, global::System.ReadOnlySpan<float> attention, out float target, out float source)"))
        {
            VectorCode.References(w, ("x", "row"), ("a", "attention"));
            foreach (RowSegment segment in segments) w.Line($"{TypeOf(segment.Width)} x{segment.Offset} = {Load(segment, "x")};");
            string target = Dot(w, segments, "t", s => $"x{s.Offset}", s => Load(s, "a"));
            string source = Dot(w, segments, "s", s => $"x{s.Offset}", s => Load(s, "a", "F"));
            w.Line($"target = {target};");
            w.Line($"source = {source};");
        }

        w.Line();
    }

    private static void EmitAggregate(SourceWriter w, GraphAttentionSpec spec, string path, IReadOnlyList<RowSegment> segments)
    {
        int blocks = Blocks(segments).Count;
        w.Line($"// {path}: F′ = {Layout(segments)}; " + (blocks == 1
            ? "each source row is gathered once and the output row stays in registers until the last edge."
            : $"{blocks} column blocks of at most {MaxAccumulatorRegisters} registers, each gathering the source rows once."));
        using (w.Block($"private static void {AggregateName(spec, path)}(global::System.ReadOnlySpan<float> weights, global::System.ReadOnlySpan<int> sources, global::System.ReadOnlySpan<float> features, int rowStride, global::System.Span<float> output)"))
        {
            VectorCode.References(w, ("p", "weights"));
            w.Line("ref int source = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(sources);");
            VectorCode.References(w, ("x", "features"), ("o", "output"));
            WeightedRows(w, segments,
                "for (int e = 0; e < weights.Length; e++)",
                "ref float row = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref x, (nint)global::System.Runtime.CompilerServices.Unsafe.Add(ref source, e) * rowStride);",
                "float weight = global::System.Runtime.CompilerServices.Unsafe.Add(ref p, e);",
                "o");
        }

        w.Line();
    }

    private static void EmitPairScores(SourceWriter w, GraphAttentionSpec spec, string path, IReadOnlyList<RowSegment> segments)
    {
        bool held = RegisterCount(segments) <= 4;
        bool max = SlopeIsMax(spec.NegativeSlope);
        w.Line($"// {path}: F′ = {Layout(segments)}; " + (held
            ? "the target row and a stay in registers across every incoming edge."
            : "the target row and a are reloaded from L1 per edge: holding both would spill."));
        using (w.Block($"private static void {PairScoresName(spec, path)}(global::System.ReadOnlySpan<float> target, global::System.ReadOnlySpan<float> attention, global::System.ReadOnlySpan<float> features, int rowStride, global::System.ReadOnlySpan<int> sources, global::System.Span<float> scores)"))
        {
            VectorCode.References(w, ("t", "target"), ("a", "attention"));
            w.Line("ref int source = ref global::System.Runtime.InteropServices.MemoryMarshal.GetReference(sources);");
            VectorCode.References(w, ("x", "features"), ("s", "scores"));
            foreach (int width in new[] { 16, 8, 4 })
            {
                if (segments.Exists(width)) w.Line($"{TypeOf(width)} slope{width * 32} = {Broadcast(width, "Slope")};");
            }

            if (held)
            {
                foreach (RowSegment segment in segments)
                {
                    w.Line($"{TypeOf(segment.Width)} t{segment.Offset} = {Load(segment, "t")};");
                    w.Line($"{TypeOf(segment.Width)} a{segment.Offset} = {Load(segment, "a")};");
                }
            }

            using (w.Block("for (int e = 0; e < sources.Length; e++)"))
            {
                w.Line("ref float row = ref global::System.Runtime.CompilerServices.Unsafe.Add(ref x, (nint)global::System.Runtime.CompilerServices.Unsafe.Add(ref source, e) * rowStride);");
                foreach (RowSegment segment in segments)
                {
                    string targetValue = held ? $"t{segment.Offset}" : Load(segment, "t");
                    w.Line($"{TypeOf(segment.Width)} z{segment.Offset} = {targetValue} + {Load(segment, "row")};");
                }

                string sum = Dot(w, segments, "sum", seg => held ? $"a{seg.Offset}" : Load(seg, "a"), seg => LeakyRelu(seg, max));
                w.Line($"global::System.Runtime.CompilerServices.Unsafe.Add(ref s, e) = {sum};");
            }
        }

        w.Line();
    }

    private static string LeakyRelu(RowSegment segment, bool max)
    {
        string z = $"z{segment.Offset}";
        if (segment.Width == 1) return $"({z} > 0f ? {z} : Slope * {z})";
        string vector = QualifiedVectorOf(segment.Width);
        string slope = $"slope{segment.Width * 32}";
        return max
            ? $"{vector}.MaxNative({z}, {z} * {slope})"
            : $"{vector}.ConditionalSelect({vector}.GreaterThan({z}, {TypeOf(segment.Width)}.Zero), {z}, {z} * {slope})";
    }

    private static bool Exists(this IReadOnlyList<RowSegment> segments, int width)
    {
        foreach (RowSegment segment in segments) if (segment.Width == width) return true;
        return false;
    }
}
