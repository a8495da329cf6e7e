using System;
using System.ComponentModel;

namespace Attend.Kernels;

/// <summary>
/// One <c>[MultiHeadAttention]</c> layer's weights, packed at load time into the panel layout the projection kernel
/// streams, and never written once published: <c>LoadWeights</c> fills a new instance, then swaps it in with one
/// reference write, so a forward pass computes with the old set or the new one, never a mix of the two.
/// </summary>
/// <typeparam name="TShape">The declaration's constants: they size every array.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)] // only generated code creates it: kept out of users' IntelliSense
public sealed class MultiHeadAttentionWeights<TShape>
    where TShape : struct, IMultiHeadAttentionShape
{
    /// <summary>Zero weights (and biases): until a load, the layer computes as an all-zero PyTorch module would.</summary>
    public MultiHeadAttentionWeights()
    {
        if (PackedInput) Qkv = new ProjectionWeight(TShape.ModelDim, QkvWidth);
        Query = new ProjectionWeight(TShape.ModelDim, InnerDim);
        Key = new ProjectionWeight(TShape.KeyDim, KvInnerDim);
        Value = new ProjectionWeight(TShape.ValueDim, KvInnerDim);
        Output = new ProjectionWeight(InnerDim, TShape.ModelDim);
        if (TShape.Bias)
        {
            InputBias = new float[QkvWidth];
            OutputBias = new float[TShape.ModelDim];
        }
    }

    /// <summary>Width of the query heads together.</summary>
    internal static int InnerDim => TShape.Heads * TShape.DimHead;

    /// <summary>Width of the key (or value) heads together.</summary>
    internal static int KvInnerDim => TShape.KvHeads * TShape.DimHead;

    /// <summary>Width of a projected Q | K | V row: the rows of PyTorch's <c>in_proj_weight</c>.</summary>
    internal static int QkvWidth => InnerDim + 2 * KvInnerDim;

    /// <summary>
    /// KeyDim and ValueDim equal ModelDim: PyTorch packs the three input projections in one <c>in_proj_weight</c>, and
    /// self-attention projects Q, K and V in one pass over the input with it.
    /// </summary>
    internal static bool PackedInput => TShape.KeyDim == TShape.ModelDim && TShape.ValueDim == TShape.ModelDim;

    /// <summary>Q | K | V in one projection (<see cref="PackedInput"/> only).</summary>
    internal ProjectionWeight Qkv { get; }

    internal ProjectionWeight Query { get; }

    internal ProjectionWeight Key { get; }

    internal ProjectionWeight Value { get; }

    internal ProjectionWeight Output { get; }

    /// <summary><c>in_proj_bias</c>, <see cref="QkvWidth"/> floats (with <c>Bias</c> only).</summary>
    internal float[]? InputBias { get; }

    /// <summary><c>out_proj.bias</c>, ModelDim floats (with <c>Bias</c> only).</summary>
    internal float[]? OutputBias { get; }

    /// <summary>
    /// One projection's packed weight: float panels, or a <see cref="PackedProjection"/> when the declaration names a
    /// <c>WeightPrecision</c> (<see cref="IMultiHeadAttentionShape.CompactWeights"/>); the other field stays null.
    /// </summary>
    internal readonly struct ProjectionWeight
    {
        public ProjectionWeight(int inFeatures, int outFeatures)
        {
            if (TShape.CompactWeights) Compact = new PackedProjection(inFeatures, outFeatures);
            else Panels = new AlignedArray<float>(LinearKernels.PackedLength(inFeatures, outFeatures));
            InFeatures = inFeatures;
            OutFeatures = outFeatures;
        }

        public AlignedArray<float>? Panels { get; }

        public PackedProjection? Compact { get; }

        public int InFeatures { get; }

        public int OutFeatures { get; }

        /// <summary>Packs a PyTorch weight <c>[OutFeatures, InFeatures]</c>; <paramref name="precision"/> matters with compact weights only.</summary>
        public void Pack(ReadOnlySpan<float> weight, WeightPrecision precision)
        {
            if (TShape.CompactWeights) Compact!.Pack(weight, precision);
            else LinearKernels.Pack(weight, InFeatures, OutFeatures, Panels!.Span);
        }

        /// <summary>
        /// <c>output = input · Wᵀ + bias</c> over <paramref name="rows"/> dense rows, through the
        /// <see cref="ProjectionDriver"/> overload of this storage.
        /// </summary>
        public void Project(KernelPath path, ReadOnlySpan<float> input, int rows, ReadOnlySpan<float> bias, Span<float> output, int threads)
        {
            if (TShape.CompactWeights) ProjectionDriver.Forward(path, input, rows, InFeatures, Compact!, bias, InFeatures, OutFeatures, output, OutFeatures, threads);
            else ProjectionDriver.Forward(path, input, rows, InFeatures, Panels!.Span, bias, InFeatures, OutFeatures, output, OutFeatures, threads);
        }
    }
}
