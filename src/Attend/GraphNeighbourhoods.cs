using System;
using Attend.Kernels;

namespace Attend;

/// <summary>
/// The incoming edges of every node of a graph in compressed sparse row form, grouped by target node: what graph
/// attention layers iterate over. Build it once per graph and pass it to every layer that runs on that graph.
/// </summary>
/// <remarks>
/// Edges into node <c>i</c> are slots <c>IncomingOffsets[i] .. IncomingOffsets[i + 1]</c>; slot <c>s</c> comes from node
/// <c>Sources[s]</c> and was edge <c>EdgeIds[s]</c> of the edge list it was built from (−1 for an added self loop).
/// Within a node, slots keep the edge list's order; an added self loop comes last.
/// </remarks>
public sealed class GraphNeighbourhoods
{
    private readonly int[] _offsets;
    private readonly int[] _sources;
    private readonly int[] _edgeIds;

    private GraphNeighbourhoods(int nodes, int listedEdges, bool selfLoopsAdded, int[] offsets, int[] sources, int[] edgeIds)
    {
        Nodes = nodes;
        ListedEdgeCount = listedEdges;
        SelfLoopsAdded = selfLoopsAdded;
        _offsets = offsets;
        _sources = sources;
        _edgeIds = edgeIds;
    }

    /// <summary>Number of nodes.</summary>
    public int Nodes { get; }

    /// <summary>Number of incoming-edge slots, added self loops included: the length of <see cref="Sources"/>.</summary>
    public int EdgeCount => _sources.Length;

    /// <summary>Number of edges in the list this was built from (<see cref="EdgeCount"/> for CSR input).</summary>
    public int ListedEdgeCount { get; }

    /// <summary>Whether one self loop per node was added (and listed self loops dropped).</summary>
    public bool SelfLoopsAdded { get; }

    /// <summary><c>[Nodes + 1]</c>: where each node's incoming slots begin; the last entry is <see cref="EdgeCount"/>.</summary>
    public ReadOnlySpan<int> IncomingOffsets => _offsets;

    /// <summary><c>[EdgeCount]</c>: the source node of each slot.</summary>
    public ReadOnlySpan<int> Sources => _sources;

    /// <summary><c>[EdgeCount]</c>: the index in the edge list of each slot, or −1 for an added self loop.</summary>
    public ReadOnlySpan<int> EdgeIds => _edgeIds;

    /// <summary>
    /// Groups an edge list by target node in O(nodes + edges) (a counting sort, stable in the list's order).
    /// </summary>
    /// <param name="edgeIndex"><c>[2, edges]</c> row-major, PyG's <c>edge_index</c>: row 0 holds source nodes <c>j</c>, row 1
    /// target nodes <c>i</c>; edge <c>e</c> carries a message <c>j → i</c> (node <c>i</c> attends to node <c>j</c>).</param>
    /// <param name="nodes">Number of nodes; every index must lie in <c>[0, nodes)</c>.</param>
    /// <param name="addSelfLoops">Drop listed self loops and give every node exactly one (PyG's <c>add_self_loops</c>).</param>
    /// <exception cref="ArgumentException">The edge list has an odd length or an index outside <c>[0, nodes)</c>.</exception>
    public static GraphNeighbourhoods FromEdgeIndex(ReadOnlySpan<int> edgeIndex, int nodes, bool addSelfLoops)
    {
        int slots = GraphKernels.IncomingSlotCount(edgeIndex, nodes, addSelfLoops);
        var offsets = new int[nodes + 1];
        var sources = new int[slots];
        var edgeIds = new int[slots];
        GraphKernels.BuildIncoming(edgeIndex, nodes, addSelfLoops, offsets, sources, edgeIds);
        return new GraphNeighbourhoods(nodes, edgeIndex.Length / 2, addSelfLoops, offsets, sources, edgeIds);
    }

    /// <summary>Wraps incoming edges already in CSR form (copied); slot <c>s</c> is reported as edge <c>s</c>.</summary>
    /// <param name="incomingOffsets"><c>[nodes + 1]</c>, non-decreasing, starting at 0.</param>
    /// <param name="sources"><c>[incomingOffsets[nodes]]</c> source nodes, each in <c>[0, nodes)</c>.</param>
    /// <exception cref="ArgumentException">The offsets are not a valid CSR row pointer or a source is out of range.</exception>
    public static GraphNeighbourhoods FromIncoming(ReadOnlySpan<int> incomingOffsets, ReadOnlySpan<int> sources)
    {
        GraphKernels.ValidateIncoming(incomingOffsets, sources);
        int nodes = incomingOffsets.Length - 1;
        var edgeIds = new int[sources.Length];
        for (int s = 0; s < edgeIds.Length; s++) edgeIds[s] = s;
        return new GraphNeighbourhoods(nodes, sources.Length, false, incomingOffsets.ToArray(), sources.ToArray(), edgeIds);
    }
}
