using System;
using System.ComponentModel;

namespace Attend.Kernels;

/// <summary>
/// Edge-list helpers for graph attention: validating PyG-style <c>edge_index</c> tensors, grouping them by
/// target node (CSR, O(nodes + edges)), and mapping per-slot attention weights back to the edge list.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)] // only generated code calls it: kept out of users' IntelliSense
public static class GraphKernels
{
    /// <summary>
    /// Validates <paramref name="edgeIndex"/> and returns how many incoming-edge slots
    /// <see cref="BuildIncoming"/> will write: the edge count, less listed self loops plus one loop per node when
    /// <paramref name="addSelfLoops"/> is set.
    /// </summary>
    /// <param name="edgeIndex"><c>[2, edges]</c>: row 0 sources, row 1 targets.</param>
    /// <param name="nodes">Number of nodes, at least 1.</param>
    /// <param name="addSelfLoops">Whether one self loop per node replaces listed ones.</param>
    /// <exception cref="ArgumentException">Odd length, or an index outside <c>[0, nodes)</c>; the message names the edge.</exception>
    public static int IncomingSlotCount(ReadOnlySpan<int> edgeIndex, int nodes, bool addSelfLoops)
    {
        ArgumentChecks.Positive(nodes, nameof(nodes));
        if (edgeIndex.Length % 2 != 0)
        {
            throw new ArgumentException($"edgeIndex must hold [2, edges] values (row 0 sources, row 1 targets); its length {edgeIndex.Length} is odd.", nameof(edgeIndex));
        }

        int edges = edgeIndex.Length / 2;
        ReadOnlySpan<int> sources = edgeIndex[..edges];
        ReadOnlySpan<int> targets = edgeIndex[edges..];
        long slots = edges;
        for (int e = 0; e < edges; e++)
        {
            int source = sources[e], target = targets[e];
            if ((uint)source >= (uint)nodes || (uint)target >= (uint)nodes)
            {
                throw new ArgumentException($"edgeIndex edge {e} is {source} → {target}, but node indices must lie in [0, nodes) = [0, {nodes}).", nameof(edgeIndex));
            }

            if (addSelfLoops && source == target) slots--;
        }

        if (addSelfLoops) slots += nodes;
        if (slots > Array.MaxLength) throw new ArgumentException($"edgeIndex with self loops makes {slots} edges, more than an array holds.", nameof(edgeIndex));
        return (int)slots;
    }

    /// <summary>
    /// Groups a validated edge list by target node with a stable counting sort.
    /// </summary>
    /// <param name="edgeIndex"><c>[2, edges]</c>, already checked by <see cref="IncomingSlotCount"/>.</param>
    /// <param name="nodes">Number of nodes.</param>
    /// <param name="addSelfLoops">Drop listed self loops and append one per node, after its other incoming edges.</param>
    /// <param name="offsets">Receives <c>[nodes + 1]</c> row pointers.</param>
    /// <param name="sources">Receives <c>[slots]</c> source nodes.</param>
    /// <param name="edgeIds">Receives <c>[slots]</c> indices into the edge list (−1 for added loops).</param>
    public static void BuildIncoming(ReadOnlySpan<int> edgeIndex, int nodes, bool addSelfLoops, Span<int> offsets, Span<int> sources, Span<int> edgeIds)
    {
        int edges = edgeIndex.Length / 2;
        ReadOnlySpan<int> from = edgeIndex[..edges];
        ReadOnlySpan<int> to = edgeIndex[edges..];
        offsets = offsets[..(nodes + 1)];
        offsets.Clear();
        for (int e = 0; e < edges; e++)
        {
            if (addSelfLoops && from[e] == to[e]) continue;
            offsets[to[e] + 1]++;
        }

        if (addSelfLoops)
        {
            for (int i = 0; i < nodes; i++) offsets[i + 1]++;
        }

        for (int i = 0; i < nodes; i++) offsets[i + 1] += offsets[i];

        // offsets[i] now serves as node i's write cursor; the loop below advances it to the next node's start,
        // which the final shift turns back into row pointers.
        for (int e = 0; e < edges; e++)
        {
            if (addSelfLoops && from[e] == to[e]) continue;
            int slot = offsets[to[e]]++;
            sources[slot] = from[e];
            edgeIds[slot] = e;
        }

        if (addSelfLoops)
        {
            for (int i = 0; i < nodes; i++)
            {
                int slot = offsets[i]++;
                sources[slot] = i;
                edgeIds[slot] = -1;
            }
        }

        for (int i = nodes; i > 0; i--) offsets[i] = offsets[i - 1];
        offsets[0] = 0;
    }

    /// <summary>Checks a CSR row pointer and its sources.</summary>
    /// <exception cref="ArgumentException">Empty or decreasing offsets, a last offset other than the source count, or a source out of range.</exception>
    public static void ValidateIncoming(ReadOnlySpan<int> incomingOffsets, ReadOnlySpan<int> sources)
    {
        if (incomingOffsets.Length < 2) throw new ArgumentException("incomingOffsets must hold nodes + 1 ≥ 2 row pointers.", nameof(incomingOffsets));
        int nodes = incomingOffsets.Length - 1;
        if (incomingOffsets[0] != 0) throw new ArgumentException($"incomingOffsets[0] must be 0; it is {incomingOffsets[0]}.", nameof(incomingOffsets));
        for (int i = 0; i < nodes; i++)
        {
            if (incomingOffsets[i + 1] < incomingOffsets[i])
            {
                throw new ArgumentException($"incomingOffsets must not decrease; incomingOffsets[{i + 1}] = {incomingOffsets[i + 1]} < incomingOffsets[{i}] = {incomingOffsets[i]}.", nameof(incomingOffsets));
            }
        }

        if (incomingOffsets[nodes] != sources.Length)
        {
            throw new ArgumentException($"sources must hold incomingOffsets[{nodes}] = {incomingOffsets[nodes]} entries; it holds {sources.Length}.", nameof(sources));
        }

        for (int s = 0; s < sources.Length; s++)
        {
            if ((uint)sources[s] >= (uint)nodes)
            {
                throw new ArgumentException($"sources[{s}] = {sources[s]} lies outside [0, nodes) = [0, {nodes}).", nameof(sources));
            }
        }
    }

    /// <summary>
    /// Copies per-slot attention weights <c>[slots, heads]</c> to the edge list's order <c>[edges, heads]</c> (PyG's
    /// <c>return_attention_weights</c> layout). A listed self loop that <paramref name="addSelfLoops"/> replaced
    /// receives the weight of its node's added loop.
    /// </summary>
    public static void ScatterEdgeWeights(ReadOnlySpan<float> slotWeights, ReadOnlySpan<int> edgeIds, ReadOnlySpan<int> offsets, int heads,
        ReadOnlySpan<int> edgeIndex, bool addSelfLoops, Span<float> edgeWeights)
    {
        for (int slot = 0; slot < edgeIds.Length; slot++)
        {
            int edge = edgeIds[slot];
            if (edge >= 0) slotWeights.Slice(slot * heads, heads).CopyTo(edgeWeights.Slice(edge * heads, heads));
        }

        if (!addSelfLoops) return;
        int edges = edgeIndex.Length / 2;
        for (int e = 0; e < edges; e++)
        {
            int node = edgeIndex[e];
            if (node != edgeIndex[edges + e]) continue;
            int loopSlot = offsets[node + 1] - 1; // BuildIncoming puts the added loop last
            slotWeights.Slice(loopSlot * heads, heads).CopyTo(edgeWeights.Slice(e * heads, heads));
        }
    }
}
