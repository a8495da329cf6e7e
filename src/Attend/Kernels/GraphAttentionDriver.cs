using System;
using System.Buffers;
using System.ComponentModel;
using System.Numerics.Tensors;
using System.Threading.Tasks;

namespace Attend.Kernels;

/// <summary>
/// Runs graph attention node by node over the incoming edges (CSR), with a generated
/// <see cref="IGraphAttentionKernels"/> struct doing the loops over a head's features. Work and memory are
/// O(edges·heads·F′): scores exist only for edges, never for a dense node × node matrix.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)] // only generated code calls it: kept out of users' IntelliSense
public static class GraphAttentionDriver
{
    /// <summary>Below this many multiply-adds (about <c>slots·H·F′·2</c>) the call runs on the calling thread.</summary>
    internal const long ParallelWorkThreshold = 1L << 16;

    /// <summary>Work items per allowed thread, so nodes of very different degree still balance.</summary>
    private const int ItemsPerThread = 4;

    /// <summary>
    /// For every node <c>i</c> and head <c>h</c>: scores its incoming edges, softmax over them (max subtracted),
    /// and writes <c>Σ_j α_ij h_j</c> into the concatenated or averaged output, plus the bias. A node without
    /// incoming edges gets zeros (plus the bias).
    /// </summary>
    /// <exception cref="ArgumentException">A span's length does not match the problem's sizes.</exception>
    public static unsafe void Run<TKernels>(scoped in GraphAttentionProblem problem)
        where TKernels : struct, IGraphAttentionKernels
    {
        int width = TKernels.HeadWidth;
        int nodes = problem.Nodes, heads = problem.Heads;
        ArgumentChecks.Positive(nodes, "nodes");
        ArgumentChecks.Positive(heads, "heads");
        ArgumentChecks.Positive(problem.MaxDegreeOfParallelism, "maxDegreeOfParallelism");
        int slots = problem.Sources.Length;
        int outputWidth = problem.MeanOverHeads ? width : heads * width;
        ArgumentChecks.Length(problem.IncomingOffsets.Length, (long)nodes + 1, "incomingOffsets", $"nodes + 1 = {nodes} + 1");
        // The loops below index with these through pointers, so a bad offset or source must fail here. O(nodes + edges).
        GraphKernels.ValidateIncoming(problem.IncomingOffsets, problem.Sources);
        ArgumentChecks.Length(problem.Features.Length, (long)nodes * heads * width, "features", $"nodes × heads × F′ = {nodes} × {heads} × {width}");
        ArgumentChecks.Length(problem.Attention.Length, (long)heads * width * (TKernels.ScoresPairs ? 1 : 2), "attention", $"heads × {(TKernels.ScoresPairs ? "" : "2·")}F′");
        ArgumentChecks.Length(problem.Output.Length, (long)nodes * outputWidth, "output", $"nodes × {outputWidth}");
        if (!problem.Bias.IsEmpty) ArgumentChecks.Length(problem.Bias.Length, outputWidth, "bias", "the output width");
        if (!problem.SlotWeights.IsEmpty) ArgumentChecks.Length(problem.SlotWeights.Length, (long)slots * heads, "slotWeights", $"slots × heads = {slots} × {heads}");

        int maxDegree = 0;
        for (int i = 0; i < nodes; i++) maxDegree = Math.Max(maxDegree, problem.IncomingOffsets[i + 1] - problem.IncomingOffsets[i]);

        float[]? terms = TKernels.ScoresPairs ? null : ArrayPool<float>.Shared.Rent(2 * nodes * heads);
        try
        {
            fixed (int* offsets = problem.IncomingOffsets)
            fixed (int* sources = problem.Sources)
            fixed (float* features = problem.Features)
            fixed (float* attention = problem.Attention)
            fixed (float* bias = problem.Bias)
            fixed (float* output = problem.Output)
            fixed (float* slotWeights = problem.SlotWeights)
            fixed (float* nodeTerms = terms)
            {
                var context = new NodeContext
                {
                    Path = KernelPaths.Resolve(problem.Path),
                    Nodes = nodes,
                    Heads = heads,
                    Slots = slots,
                    Mean = problem.MeanOverHeads,
                    OutputWidth = outputWidth,
                    Offsets = offsets,
                    Sources = sources,
                    Features = features,
                    Attention = attention,
                    NodeTerms = nodeTerms,
                    Bias = problem.Bias.IsEmpty ? null : bias,
                    Output = output,
                    SlotWeights = problem.SlotWeights.IsEmpty ? null : slotWeights,
                };

                if (!TKernels.ScoresPairs) context.ComputeNodeTerms<TKernels>();
                Schedule<TKernels>(context, problem.MaxDegreeOfParallelism, Math.Max(maxDegree, 1), (long)Math.Max(slots, nodes) * heads * width * 2);
            }
        }
        finally
        {
            if (terms != null) ArrayPool<float>.Shared.Return(terms);
        }
    }

    private static void Schedule<TKernels>(NodeContext context, int maxDegreeOfParallelism, int scratchLength, long work)
        where TKernels : struct, IGraphAttentionKernels
    {
        int scratchFloats = scratchLength + TKernels.HeadWidth;
        if (maxDegreeOfParallelism <= 1 || work < ParallelWorkThreshold || context.Nodes == 1)
        {
            float[] scratch = ArrayPool<float>.Shared.Rent(scratchFloats);
            try
            {
                context.RunNodes<TKernels>(0, context.Nodes, scratch);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scratch);
            }

            return;
        }

        int blocks = (int)Math.Min(context.Nodes, (long)ItemsPerThread * maxDegreeOfParallelism);
        int blockNodes = (context.Nodes + blocks - 1) / blocks;
        blocks = (context.Nodes + blockNodes - 1) / blockNodes;
        Parallel.For(
            0,
            blocks,
            new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism },
            () => ArrayPool<float>.Shared.Rent(scratchFloats),
            (block, _, scratch) =>
            {
                int first = block * blockNodes;
                context.RunNodes<TKernels>(first, Math.Min(first + blockNodes, context.Nodes), scratch);
                return scratch;
            },
            scratch => ArrayPool<float>.Shared.Return(scratch));
    }

    /// <summary>The validated problem as pinned pointers: what a worker needs to compute any node.</summary>
    private unsafe struct NodeContext
    {
        public KernelPath Path;
        public int Nodes;
        public int Heads;
        public int Slots;
        public bool Mean;
        public int OutputWidth;
        public int* Offsets;
        public int* Sources;
        public float* Features;
        public float* Attention;
        public float* NodeTerms; // GAT: [N, H, 2] (target term, source term)
        public float* Bias;
        public float* Output;
        public float* SlotWeights;

        public readonly void ComputeNodeTerms<TKernels>()
            where TKernels : struct, IGraphAttentionKernels
        {
            int width = TKernels.HeadWidth;
            int rowStride = Heads * width;
            for (int i = 0; i < Nodes; i++)
            {
                for (int h = 0; h < Heads; h++)
                {
                    float* terms = NodeTerms + 2 * ((nint)i * Heads + h);
                    TKernels.NodeTerms(Path,
                        new ReadOnlySpan<float>(Features + (nint)i * rowStride + h * width, width),
                        new ReadOnlySpan<float>(Attention + (nint)h * 2 * width, 2 * width),
                        out terms[0], out terms[1]);
                }
            }
        }

        public readonly void RunNodes<TKernels>(int first, int end, float[] scratch)
            where TKernels : struct, IGraphAttentionKernels
        {
            int width = TKernels.HeadWidth;
            float slope = TKernels.NegativeSlope;
            int rowStride = Heads * width;
            ReadOnlySpan<float> allFeatures = new(Features, Nodes * rowStride);
            Span<float> headSum = scratch.AsSpan(0, width);
            for (int i = first; i < end; i++)
            {
                int begin = Offsets[i];
                int count = Offsets[i + 1] - begin;
                Span<float> outputRow = new(Output + (nint)i * OutputWidth, OutputWidth);
                if (count == 0)
                {
                    // No incoming edge: softmax over nothing; the node receives no message (zeros, never NaN).
                    outputRow.Clear();
                }
                else
                {
                    ReadOnlySpan<int> sources = new(Sources + begin, count);
                    Span<float> scores = scratch.AsSpan(width, count);
                    for (int h = 0; h < Heads; h++)
                    {
                        ReadOnlySpan<float> headFeatures = allFeatures[(h * width)..];
                        if (TKernels.ScoresPairs)
                        {
                            TKernels.PairScores(Path, allFeatures.Slice(i * rowStride + h * width, width),
                                new ReadOnlySpan<float>(Attention + (nint)h * width, width), headFeatures, rowStride, sources, scores);
                        }
                        else
                        {
                            float target = NodeTerms[2 * ((nint)i * Heads + h)];
                            for (int e = 0; e < count; e++)
                            {
                                float z = target + NodeTerms[2 * ((nint)sources[e] * Heads + h) + 1];
                                scores[e] = z > 0f ? z : slope * z;
                            }
                        }

                        float max = TensorPrimitives.Max(scores);
                        TensorPrimitives.Subtract(scores, max, scores);
                        TensorPrimitives.Exp(scores, scores);
                        TensorPrimitives.Divide(scores, TensorPrimitives.Sum(scores), scores);
                        if (SlotWeights != null)
                        {
                            for (int e = 0; e < count; e++) SlotWeights[(nint)(begin + e) * Heads + h] = scores[e];
                        }

                        Span<float> destination = !Mean ? outputRow.Slice(h * width, width) : h == 0 ? outputRow : headSum;
                        TKernels.Aggregate(Path, scores, sources, headFeatures, rowStride, destination);
                        if (Mean && h > 0) TensorPrimitives.Add(outputRow, headSum, outputRow);
                    }

                    if (Mean && Heads > 1) TensorPrimitives.Divide(outputRow, Heads, outputRow);
                }

                if (Bias != null) TensorPrimitives.Add(outputRow, new ReadOnlySpan<float>(Bias, OutputWidth), outputRow);
            }
        }
    }
}
