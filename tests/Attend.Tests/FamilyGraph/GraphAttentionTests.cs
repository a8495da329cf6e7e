using System;
using System.Collections.Generic;
using Attend.Kernels;
using Xunit;

namespace Attend.Tests.FamilyGraph;

/// <summary>
/// <c>[GraphAttention]</c> against PyTorch: the shared <c>gat_*</c> fixtures (edge_index row 0 = source j, row 1 =
/// target i, self loops listed) and this folder's GATv2 / bias / no-self-loop cases, on every kernel path.
/// </summary>
public sealed class GraphAttentionTests
{
    /// <summary>How the test hands the graph to the layer.</summary>
    public enum GraphInput
    {
        /// <summary>The edge list, grouped by the layer per call.</summary>
        EdgeList,

        /// <summary>A <see cref="GraphNeighbourhoods"/> built once.</summary>
        Neighbourhoods,
    }

    /// <summary>One declared layer behind a common shape, so one test body serves every declaration.</summary>
    private sealed record Layer(string Name, int Heads, int OutputWidth, bool AddSelfLoops,
        Action<IWeightSource> Load, Action<KernelPath, int> Configure,
        ForwardEdges Edges, ForwardGraph Graph);

    private delegate void ForwardEdges(ReadOnlySpan<float> x, ReadOnlySpan<int> edgeIndex, Span<float> output, int nodes, Span<float> attentionWeights);

    private delegate void ForwardGraph(ReadOnlySpan<float> x, GraphNeighbourhoods graph, Span<float> output, Span<float> attentionWeights);

    private static Layer Make(string name, int heads, int outputWidth, bool addSelfLoops, Action<IWeightSource> load,
        Action<KernelPath, int> configure, ForwardEdges edges, ForwardGraph graph) => new(name, heads, outputWidth, addSelfLoops, load, configure, edges, graph);

    private static Layer Create(string name)
    {
        switch (name)
        {
            case nameof(GatConcatSmall): { var l = new GatConcatSmall(); return Make(name, GatConcatSmall.Heads, GatConcatSmall.OutputWidth, GatConcatSmall.AddSelfLoops, s => l.LoadWeights(s), (p, t) => { l.Path = p; l.MaxDegreeOfParallelism = t; }, l.Forward, l.Forward); }
            case nameof(GatConcatSmallAsListed): { var l = new GatConcatSmallAsListed(); return Make(name, GatConcatSmallAsListed.Heads, GatConcatSmallAsListed.OutputWidth, GatConcatSmallAsListed.AddSelfLoops, s => l.LoadWeights(s), (p, t) => { l.Path = p; l.MaxDegreeOfParallelism = t; }, l.Forward, l.Forward); }
            case nameof(GatMeanSmall): { var l = new GatMeanSmall(); return Make(name, GatMeanSmall.Heads, GatMeanSmall.OutputWidth, GatMeanSmall.AddSelfLoops, s => l.LoadWeights(s), (p, t) => { l.Path = p; l.MaxDegreeOfParallelism = t; }, l.Forward, l.Forward); }
            case nameof(GatMeanSmallAsListed): { var l = new GatMeanSmallAsListed(); return Make(name, GatMeanSmallAsListed.Heads, GatMeanSmallAsListed.OutputWidth, GatMeanSmallAsListed.AddSelfLoops, s => l.LoadWeights(s), (p, t) => { l.Path = p; l.MaxDegreeOfParallelism = t; }, l.Forward, l.Forward); }
            case nameof(GatConcatMedium): { var l = new GatConcatMedium(); return Make(name, GatConcatMedium.Heads, GatConcatMedium.OutputWidth, GatConcatMedium.AddSelfLoops, s => l.LoadWeights(s), (p, t) => { l.Path = p; l.MaxDegreeOfParallelism = t; }, l.Forward, l.Forward); }
            case nameof(GatConcatMediumAsListed): { var l = new GatConcatMediumAsListed(); return Make(name, GatConcatMediumAsListed.Heads, GatConcatMediumAsListed.OutputWidth, GatConcatMediumAsListed.AddSelfLoops, s => l.LoadWeights(s), (p, t) => { l.Path = p; l.MaxDegreeOfParallelism = t; }, l.Forward, l.Forward); }
            case nameof(GatMeanMedium): { var l = new GatMeanMedium(); return Make(name, GatMeanMedium.Heads, GatMeanMedium.OutputWidth, GatMeanMedium.AddSelfLoops, s => l.LoadWeights(s), (p, t) => { l.Path = p; l.MaxDegreeOfParallelism = t; }, l.Forward, l.Forward); }
            case nameof(GatMeanMediumAsListed): { var l = new GatMeanMediumAsListed(); return Make(name, GatMeanMediumAsListed.Heads, GatMeanMediumAsListed.OutputWidth, GatMeanMediumAsListed.AddSelfLoops, s => l.LoadWeights(s), (p, t) => { l.Path = p; l.MaxDegreeOfParallelism = t; }, l.Forward, l.Forward); }
            case nameof(GatV2ConcatLoops): { var l = new GatV2ConcatLoops(); return Make(name, GatV2ConcatLoops.Heads, GatV2ConcatLoops.OutputWidth, GatV2ConcatLoops.AddSelfLoops, s => l.LoadWeights(s), (p, t) => { l.Path = p; l.MaxDegreeOfParallelism = t; }, l.Forward, l.Forward); }
            case nameof(GatV2MeanNoLoops): { var l = new GatV2MeanNoLoops(); return Make(name, GatV2MeanNoLoops.Heads, GatV2MeanNoLoops.OutputWidth, GatV2MeanNoLoops.AddSelfLoops, s => l.LoadWeights(s), (p, t) => { l.Path = p; l.MaxDegreeOfParallelism = t; }, l.Forward, l.Forward); }
            case nameof(GatBiasNoLoops): { var l = new GatBiasNoLoops(); return Make(name, GatBiasNoLoops.Heads, GatBiasNoLoops.OutputWidth, GatBiasNoLoops.AddSelfLoops, s => l.LoadWeights(s), (p, t) => { l.Path = p; l.MaxDegreeOfParallelism = t; }, l.Forward, l.Forward); }
            default: throw new ArgumentException(name);
        }
    }

    /// <summary>(fixture, own fixture?, layer): the shared cases run with self loops added (the listed loops are replaced one for one) and as listed.</summary>
    private static readonly (string Fixture, bool Own, string Layer)[] s_cases =
    {
        ("gat_concat_small", false, nameof(GatConcatSmall)),
        ("gat_concat_small", false, nameof(GatConcatSmallAsListed)),
        ("gat_mean_small", false, nameof(GatMeanSmall)),
        ("gat_mean_small", false, nameof(GatMeanSmallAsListed)),
        ("gat_concat_medium", false, nameof(GatConcatMedium)),
        ("gat_concat_medium", false, nameof(GatConcatMediumAsListed)),
        ("gat_mean_medium", false, nameof(GatMeanMedium)),
        ("gat_mean_medium", false, nameof(GatMeanMediumAsListed)),
        ("gatv2_concat_loops_small", true, nameof(GatV2ConcatLoops)),
        ("gatv2_mean_noloops_small", true, nameof(GatV2MeanNoLoops)),
        ("gat_concat_bias_noloops_small", true, nameof(GatBiasNoLoops)),
    };

    public static IEnumerable<object[]> Cases()
    {
        foreach ((string fixture, bool own, string layer) in s_cases)
        {
            foreach (KernelPath path in KernelPaths.All.ToArray())
            {
                foreach (GraphInput input in new[] { GraphInput.EdgeList, GraphInput.Neighbourhoods })
                {
                    yield return new object[] { fixture, own, layer, path, input };
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Output_and_attention_weights_match_pytorch(string fixtureName, bool own, string layerName, KernelPath path, GraphInput input)
    {
        using FamilyFixture fixture = own ? FamilyFixture.Own(fixtureName) : FamilyFixture.Shared(fixtureName);
        Layer layer = Create(layerName);
        layer.Load(fixture.File);
        layer.Configure(path, 1);

        float[] x = fixture.Floats("input.x");
        int[] edgeIndex = fixture.Ints("input.edge_index");
        int nodes = fixture.Dim("input.x", 0);
        int edges = edgeIndex.Length / 2;
        float[] expected = fixture.Floats("output.y");
        float[] denseAttention = fixture.Floats("output.attn"); // [H, N, N], 0 off the graph
        var output = new float[nodes * layer.OutputWidth];
        Assert.Equal(expected.Length, output.Length);

        // Each listed edge j → i must carry PyTorch's α_ij; with self loops added, a listed loop is the node's one loop.
        float[] perEdge;
        if (input == GraphInput.EdgeList)
        {
            perEdge = new float[edges * layer.Heads];
            layer.Edges(x, edgeIndex, output, nodes, perEdge);
        }
        else
        {
            GraphNeighbourhoods graph = GraphNeighbourhoods.FromEdgeIndex(edgeIndex, nodes, layer.AddSelfLoops);
            var slotWeights = new float[graph.EdgeCount * layer.Heads];
            layer.Graph(x, graph, output, slotWeights);
            perEdge = new float[edges * layer.Heads];
            GraphKernels.ScatterEdgeWeights(slotWeights, graph.EdgeIds, graph.IncomingOffsets, layer.Heads, edgeIndex, layer.AddSelfLoops, perEdge);
        }

        fixture.AssertClose("y", expected, output);
        var expectedPerEdge = new float[edges * layer.Heads];
        for (int e = 0; e < edges; e++)
        {
            int source = edgeIndex[e], target = edgeIndex[edges + e];
            for (int h = 0; h < layer.Heads; h++) expectedPerEdge[e * layer.Heads + h] = denseAttention[(h * nodes + target) * nodes + source];
        }

        fixture.AssertClose("attention", expectedPerEdge, perEdge);
        if (fixture.File.TryGetInfo("output.attn_edges", out _)) fixture.AssertClose("attn_edges", fixture.Floats("output.attn_edges"), perEdge);
    }

    [Fact]
    public void Results_do_not_depend_on_the_thread_count()
    {
        using FamilyFixture fixture = FamilyFixture.Shared("gat_concat_medium");
        var layer = new GatConcatMedium();
        layer.LoadWeights(fixture.File);
        float[] x = fixture.Floats("input.x");
        int[] edgeIndex = fixture.Ints("input.edge_index");
        int nodes = fixture.Dim("input.x", 0);
        var single = new float[nodes * GatConcatMedium.OutputWidth];
        var parallel = new float[single.Length];

        layer.MaxDegreeOfParallelism = 1;
        layer.Forward(x, edgeIndex, single, nodes);
        layer.MaxDegreeOfParallelism = 4;
        layer.Forward(x, edgeIndex, parallel, nodes);

        Assert.Equal(single, parallel);
    }

    [Fact]
    public void A_node_without_incoming_edges_gets_only_the_bias()
    {
        using FamilyFixture fixture = FamilyFixture.Own("gat_concat_bias_noloops_small");
        var layer = new GatBiasNoLoops();
        layer.LoadWeights(fixture.File);
        int nodes = fixture.Dim("input.x", 0);
        var output = new float[nodes * GatBiasNoLoops.OutputWidth];
        layer.Forward(fixture.Floats("input.x"), fixture.Ints("input.edge_index"), output, nodes);

        // Node 7 has no listed incoming edge: softmax over nothing is no message, not NaN.
        Assert.Equal(fixture.Floats("bias"), output.AsSpan(7 * GatBiasNoLoops.OutputWidth, GatBiasNoLoops.OutputWidth).ToArray());
    }

    [Fact]
    public void A_large_sparse_graph_runs_in_memory_proportional_to_its_edges()
    {
        // 200 000 nodes: a dense node × node score matrix would need 160 GB per head. A ring with self loops has
        // 400 000 edges; node i attends to itself and to i − 1, so every output row has a closed form to check.
        const int Nodes = 200_000;
        var layer = new GatConcatSmall { Path = KernelPath.Auto, MaxDegreeOfParallelism = 2 };
        var weights = new WeightDictionary();
        var random = new Random(5);
        float[] w = RandomValues(random, GatConcatSmall.Heads * GatConcatSmall.OutFeatures * GatConcatSmall.InFeatures);
        float[] a = RandomValues(random, GatConcatSmall.Heads * 2 * GatConcatSmall.OutFeatures);
        weights.Add("W.weight", w, GatConcatSmall.Heads * GatConcatSmall.OutFeatures, GatConcatSmall.InFeatures);
        weights.Add("a", a, GatConcatSmall.Heads, 2 * GatConcatSmall.OutFeatures);
        layer.LoadWeights(weights);
        float[] x = RandomValues(random, Nodes * GatConcatSmall.InFeatures);
        var edgeIndex = new int[2 * Nodes];
        for (int i = 0; i < Nodes; i++)
        {
            edgeIndex[i] = (i + Nodes - 1) % Nodes; // source
            edgeIndex[Nodes + i] = i;               // target
        }

        var output = new float[Nodes * GatConcatSmall.OutputWidth];
        layer.Forward(x, edgeIndex, output, Nodes);

        foreach (int node in new[] { 0, 1, 77_777, Nodes - 1 })
        {
            double[] expected = ReferenceGatNode(x, w, a, node, new[] { (node + Nodes - 1) % Nodes, node });
            FamilyAssert.Close($"node {node}", expected, output.AsSpan(node * GatConcatSmall.OutputWidth, GatConcatSmall.OutputWidth), 1e-5, 1e-4);
        }
    }

    [Fact]
    public void Bad_input_throws_before_writing_and_names_the_argument()
    {
        using FamilyFixture fixture = FamilyFixture.Shared("gat_concat_small");
        var layer = new GatConcatSmall();
        layer.LoadWeights(fixture.File);
        float[] x = fixture.Floats("input.x");
        int[] edgeIndex = fixture.Ints("input.edge_index");
        var output = new float[7 * GatConcatSmall.OutputWidth];
        output.AsSpan().Fill(42f);

        int[] outOfRange = (int[])edgeIndex.Clone();
        outOfRange[3] = 7;
        ArgumentException edgeError = Assert.Throws<ArgumentException>(() => layer.Forward(x, outOfRange, output, 7));
        Assert.Equal("edgeIndex", edgeError.ParamName);
        Assert.Contains("[0, 7)", edgeError.Message);

        ArgumentException oddError = Assert.Throws<ArgumentException>(() => layer.Forward(x, edgeIndex.AsSpan(1), output, 7));
        Assert.Equal("edgeIndex", oddError.ParamName);

        ArgumentException xError = Assert.Throws<ArgumentException>(() => layer.Forward(x.AsSpan(1), edgeIndex, output, 7));
        Assert.Equal("x", xError.ParamName);
        Assert.Contains("nodes × InFeatures = 7 × 5", xError.Message);

        ArgumentException weightsError = Assert.Throws<ArgumentException>(() => layer.Forward(x, edgeIndex, output, 7, new float[3]));
        Assert.Equal("attentionWeights", weightsError.ParamName);

        GraphNeighbourhoods withoutLoops = GraphNeighbourhoods.FromEdgeIndex(edgeIndex, 7, addSelfLoops: false);
        ArgumentException graphError = Assert.Throws<ArgumentException>(() => layer.Forward(x, withoutLoops, output));
        Assert.Equal("graph", graphError.ParamName);
        Assert.Contains("addSelfLoops: true", graphError.Message);

        Assert.All(output, value => Assert.Equal(42f, value));
    }

    [Fact]
    public void Neighbourhoods_group_edges_by_target_and_replace_self_loops()
    {
        // Edges j → i: 2→0, 0→0 (listed loop), 1→2, 0→2; node 1 has no incoming edge.
        int[] edgeIndex = { 2, 0, 1, 0, /* targets */ 0, 0, 2, 2 };

        GraphNeighbourhoods listed = GraphNeighbourhoods.FromEdgeIndex(edgeIndex, 3, addSelfLoops: false);
        Assert.Equal(new[] { 0, 2, 2, 4 }, listed.IncomingOffsets.ToArray());
        Assert.Equal(new[] { 2, 0, 1, 0 }, listed.Sources.ToArray());
        Assert.Equal(new[] { 0, 1, 2, 3 }, listed.EdgeIds.ToArray());

        GraphNeighbourhoods looped = GraphNeighbourhoods.FromEdgeIndex(edgeIndex, 3, addSelfLoops: true);
        Assert.Equal(new[] { 0, 2, 3, 6 }, looped.IncomingOffsets.ToArray());
        Assert.Equal(new[] { 2, 0, 1, 1, 0, 2 }, looped.Sources.ToArray());
        Assert.Equal(new[] { 0, -1, -1, 2, 3, -1 }, looped.EdgeIds.ToArray());

        GraphNeighbourhoods csr = GraphNeighbourhoods.FromIncoming(new[] { 0, 1, 1, 3 }, new[] { 2, 0, 1 });
        Assert.Equal(3, csr.Nodes);
        Assert.Throws<ArgumentException>(() => GraphNeighbourhoods.FromIncoming(new[] { 0, 2, 1, 3 }, new[] { 2, 0, 1 }));
        Assert.Throws<ArgumentException>(() => GraphNeighbourhoods.FromIncoming(new[] { 0, 1, 1, 3 }, new[] { 2, 0, 3 }));
    }

    private static float[] RandomValues(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
        return values;
    }

    /// <summary>GAT for one node in float64, from the formula: h = x Wᵀ, e_ij = LeakyReLU(a[:F]·h_i + a[F:]·h_j), softmax, Σ α h_j, heads concatenated.</summary>
    private static double[] ReferenceGatNode(float[] x, float[] w, float[] a, int node, int[] sources)
    {
        const int In = GatConcatSmall.InFeatures, F = GatConcatSmall.OutFeatures, H = GatConcatSmall.Heads;
        double[] Project(int n)
        {
            var h = new double[H * F];
            for (int o = 0; o < H * F; o++)
            {
                for (int k = 0; k < In; k++) h[o] += (double)x[n * In + k] * w[o * In + k];
            }

            return h;
        }

        double[] target = Project(node);
        var result = new double[H * F];
        for (int head = 0; head < H; head++)
        {
            var scores = new double[sources.Length];
            for (int e = 0; e < sources.Length; e++)
            {
                double[] source = Project(sources[e]);
                double z = 0;
                for (int f = 0; f < F; f++) z += a[head * 2 * F + f] * target[head * F + f] + a[head * 2 * F + F + f] * source[head * F + f];
                scores[e] = z > 0 ? z : 0.2 * z;
            }

            double max = double.NegativeInfinity, sum = 0;
            foreach (double s in scores) max = Math.Max(max, s);
            for (int e = 0; e < scores.Length; e++) sum += scores[e] = Math.Exp(scores[e] - max);
            for (int e = 0; e < sources.Length; e++)
            {
                double[] source = Project(sources[e]);
                for (int f = 0; f < F; f++) result[head * F + f] += scores[e] / sum * source[head * F + f];
            }
        }

        return result;
    }
}
