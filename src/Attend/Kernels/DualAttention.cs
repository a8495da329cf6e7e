using System;
using System.ComponentModel;

namespace Attend.Kernels;

/// <summary>
/// DANet's position and channel attention over NCHW feature maps (Fu et al., "Dual Attention Network for Scene
/// Segmentation", CVPR 2019), as generated <c>[DanetPositionAttention]</c> / <c>[DanetChannelAttention]</c> layers call
/// it. Only for generated code: every size and weight is checked by the generated <c>Forward</c>.
/// </summary>
/// <remarks>
/// <para>Position attention is an (HW)×(HW) attention between pixels: the features become token rows once
/// (a cache-blocked transpose), one packed GEMM projects queries, keys and values side by side, and the tiled
/// flash-attention driver (<see cref="AttentionDriver"/>, over the layer's generated head kernels) computes
/// <c>softmax(scale · Q Kᵀ) V</c> without materialising the HW × HW map: O(B · HW² · (2·Dqk + Dv)) multiply-adds,
/// O(B · HW · (C + 2·Dqk + Dv)) memory.</para>
/// <para>Channel attention is a C × C Gram matrix <c>F Fᵀ</c> (a GEMM over HW), a row softmax and the product
/// <c>A F</c> (a GEMM over C): O(B · C² · HW) multiply-adds, O(C² + C · HW) memory per sample. Both GEMMs run on
/// <see cref="LinearKernels"/> with the run-time right factor packed input-major (a strip copy).</para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class DualAttention
{
    /// <summary>
    /// The DANet authors' PAM: <c>q, k, v</c> = 1×1 convolutions of <paramref name="input"/>,
    /// <c>out = v · softmax(qᵀk)ᵀ</c> (no scale), <c>y = gamma · out + x</c>.
    /// </summary>
    /// <remarks><typeparamref name="TKernels"/> are the layer's head kernels (<c>DimHead</c> = <paramref name="queryKeyChannels"/>,
    /// <c>ValueDimHead</c> = <paramref name="channels"/>); <paramref name="packedProjection"/> is <c>query_conv</c>, <c>key_conv</c>
    /// and <c>value_conv</c> stacked as one <c>[2·Dqk + C, C]</c> linear weight packed by <see cref="LinearKernels.Pack"/>,
    /// <paramref name="projectionBias"/> their biases stacked the same way.</remarks>
    public static void PositionOfficial<TKernels>(KernelPath path, ReadOnlySpan<float> input, Span<float> output, int batch, int channels, int height, int width,
        ReadOnlySpan<float> packedProjection, ReadOnlySpan<float> projectionBias, int queryKeyChannels, float gamma, int maxDegreeOfParallelism)
        where TKernels : struct, IAttentionHeadKernels
    {
        KernelPath resolved = KernelPaths.Resolve(path);
        int plane = height * width;
        int sample = channels * plane;
        int rowWidth = 2 * queryKeyChannels + channels;
        long tokensLength = (long)batch * sample, projectedLength = (long)batch * plane * rowWidth;
        float[] scratch = LayerScratch.Rent(checked((int)(2 * tokensLength + projectedLength)));
        Span<float> tokens = scratch.AsSpan(0, (int)tokensLength);
        Span<float> projected = scratch.AsSpan((int)tokensLength, (int)projectedLength);
        Span<float> context = scratch.AsSpan((int)(tokensLength + projectedLength), (int)tokensLength);

        // [C, HW] planes → [HW, C] token rows, the layout the projection GEMM and the attention driver read.
        for (int b = 0; b < batch; b++)
        {
            MatrixLayout.Transpose(input.Slice(b * sample, sample), channels, plane, tokens.Slice(b * sample, sample));
        }

        Attend<TKernels>(resolved, tokens, projected, context, batch, channels, plane, packedProjection, projectionBias, queryKeyChannels, scale: 1f, maxDegreeOfParallelism);

        // y = gamma · out + x, back in NCHW.
        for (int b = 0; b < batch; b++)
        {
            MatrixLayout.ScaleTransposedAddResidual(resolved, context.Slice(b * sample, sample), plane, channels, gamma,
                input.Slice(b * sample, sample), output.Slice(b * sample, sample));
        }
    }

    /// <summary>
    /// External-Attention-pytorch's <c>PositionAttentionModule</c>: <c>t = cnn(x)</c> (a k×k convolution, padding
    /// k/2) as token rows <c>[HW, C]</c>, then single-head attention with <c>fc_q, fc_k, fc_v</c> (scale 1/√C) and
    /// <c>fc_o</c>; <paramref name="output"/> is <c>[batch, HW, C]</c> like the module's.
    /// </summary>
    /// <remarks><typeparamref name="TKernels"/> are the layer's head kernels: <c>DimHead</c> = <c>ValueDimHead</c> = <paramref name="channels"/>.</remarks>
    public static void PositionCollection<TKernels>(KernelPath path, ReadOnlySpan<float> input, Span<float> output, int batch, int channels, int height, int width,
        ReadOnlySpan<float> convWeight, ReadOnlySpan<float> convBias, int kernelSize,
        ReadOnlySpan<float> packedProjection, ReadOnlySpan<float> projectionBias, ReadOnlySpan<float> packedOutput, ReadOnlySpan<float> outputBias,
        int maxDegreeOfParallelism)
        where TKernels : struct, IAttentionHeadKernels
    {
        KernelPath resolved = KernelPaths.Resolve(path);
        int plane = height * width;
        int sample = channels * plane;
        long tokensLength = (long)batch * sample, projectedLength = (long)batch * plane * 3 * channels;
        float[] scratch = LayerScratch.Rent(checked((int)(2 * tokensLength + projectedLength + sample)));
        Span<float> tokens = scratch.AsSpan(0, (int)tokensLength);
        Span<float> projected = scratch.AsSpan((int)tokensLength, (int)projectedLength);
        Span<float> context = scratch.AsSpan((int)(tokensLength + projectedLength), (int)tokensLength);
        Span<float> convolved = scratch.AsSpan((int)(2 * tokensLength + projectedLength), sample);

        for (int b = 0; b < batch; b++)
        {
            Convolution2d.Same(resolved, input.Slice(b * sample, sample), channels, height, width, convWeight, convBias, channels, kernelSize, kernelSize, 1, 1, convolved);
            MatrixLayout.Transpose(convolved, channels, plane, tokens.Slice(b * sample, sample));
        }

        Attend<TKernels>(resolved, tokens, projected, context, batch, channels, plane, packedProjection, projectionBias, channels, scale: 1f / MathF.Sqrt(channels), maxDegreeOfParallelism);
        ProjectionDriver.Forward(resolved, context, batch * plane, channels, packedOutput, outputBias, channels, channels, output, channels, maxDegreeOfParallelism);
    }

    /// <summary>
    /// The DANet authors' CAM: <c>e = X Xᵀ</c> over the pixels, <c>attn = softmax(max(e) − e)</c> per row (equal to
    /// <c>softmax(−e)</c>: a softmax ignores a per-row shift), <c>y = gamma · (attn X) + x</c>.
    /// </summary>
    public static void ChannelOfficial(KernelPath path, ReadOnlySpan<float> input, Span<float> output, int batch, int channels, int height, int width,
        float gamma, int maxDegreeOfParallelism)
    {
        KernelPath resolved = KernelPaths.Resolve(path);
        int plane = height * width;
        int sample = channels * plane;
        ChannelScratch(channels, plane, extra: sample, out float[] scratch, out int packedLength);
        Span<float> packed = scratch.AsSpan(0, packedLength);
        Span<float> energy = scratch.AsSpan(packedLength, channels * channels);
        Span<float> mixed = scratch.AsSpan(packedLength + channels * channels, sample);
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> features = input.Slice(b * sample, sample);
            Gram(resolved, features, channels, plane, packed, energy, maxDegreeOfParallelism);
            for (int i = 0; i < energy.Length; i++) energy[i] = -energy[i];
            Softmax.Forward(resolved, energy, channels, channels, energy);
            Mix(resolved, energy, features, channels, plane, packed, mixed, maxDegreeOfParallelism);
            MatrixLayout.ScaleAdd(resolved, mixed, gamma, features, output.Slice(b * sample, sample));
        }
    }

    /// <summary>
    /// External-Attention-pytorch's <c>ChannelAttentionModule</c>: <c>t = cnn(x)</c> as <c>[C, HW]</c>,
    /// <c>attn = softmax(t tᵀ / √HW)</c>, <c>y = fc_o(attn t)</c> with <c>fc_o</c> a <c>Linear(HW, HW)</c>;
    /// <paramref name="output"/> is <c>[batch, C, HW]</c> like the module's.
    /// </summary>
    public static void ChannelCollection(KernelPath path, ReadOnlySpan<float> input, Span<float> output, int batch, int channels, int height, int width,
        ReadOnlySpan<float> convWeight, ReadOnlySpan<float> convBias, int kernelSize, ReadOnlySpan<float> packedOutput, ReadOnlySpan<float> outputBias,
        int maxDegreeOfParallelism)
    {
        KernelPath resolved = KernelPaths.Resolve(path);
        int plane = height * width;
        int sample = channels * plane;
        ChannelScratch(channels, plane, extra: 2 * sample, out float[] scratch, out int packedLength);
        Span<float> packed = scratch.AsSpan(0, packedLength);
        Span<float> energy = scratch.AsSpan(packedLength, channels * channels);
        Span<float> convolved = scratch.AsSpan(packedLength + channels * channels, sample);
        Span<float> mixed = scratch.AsSpan(packedLength + channels * channels + sample, sample);
        float scale = 1f / MathF.Sqrt(plane);
        for (int b = 0; b < batch; b++)
        {
            Convolution2d.Same(resolved, input.Slice(b * sample, sample), channels, height, width, convWeight, convBias, channels, kernelSize, kernelSize, 1, 1, convolved);
            Gram(resolved, convolved, channels, plane, packed, energy, maxDegreeOfParallelism);
            for (int i = 0; i < energy.Length; i++) energy[i] *= scale;
            Softmax.Forward(resolved, energy, channels, channels, energy);
            Mix(resolved, energy, convolved, channels, plane, packed, mixed, maxDegreeOfParallelism);
            ProjectionDriver.Forward(resolved, mixed, channels, plane, packedOutput, outputBias, plane, plane, output.Slice(b * sample, sample), plane, maxDegreeOfParallelism);
        }
    }

    /// <summary>Projects token rows to <c>[q | k | v]</c> in one GEMM, then runs the tiled attention driver (one head) into <paramref name="context"/>.</summary>
    private static void Attend<TKernels>(KernelPath path, ReadOnlySpan<float> tokens, Span<float> projected, Span<float> context, int batch, int channels, int plane,
        ReadOnlySpan<float> packedProjection, ReadOnlySpan<float> projectionBias, int queryKeyChannels, float scale, int maxDegreeOfParallelism)
        where TKernels : struct, IAttentionHeadKernels
    {
        int valueChannels = TKernels.ValueDimHead;
        int rowWidth = 2 * queryKeyChannels + valueChannels;
        int rows = batch * plane;
        ProjectionDriver.Forward(path, tokens, rows, channels, packedProjection, projectionBias, channels, rowWidth, projected, rowWidth, maxDegreeOfParallelism);
        var problem = new AttentionProblem
        {
            Batch = batch, Heads = 1, QueryLength = plane, KeyLength = plane,
            Query = projected, QueryBatchStride = plane * rowWidth, QueryHeadStride = rowWidth, QueryRowStride = rowWidth,
            Key = projected.Slice(queryKeyChannels), KeyBatchStride = plane * rowWidth, KeyHeadStride = rowWidth, KeyRowStride = rowWidth,
            Value = projected.Slice(2 * queryKeyChannels), ValueBatchStride = plane * rowWidth, ValueHeadStride = rowWidth, ValueRowStride = rowWidth,
            Output = context, OutputBatchStride = plane * valueChannels, OutputHeadStride = valueChannels, OutputRowStride = valueChannels,
            Scale = scale, Path = path, MaxDegreeOfParallelism = maxDegreeOfParallelism,
        };
        AttentionDriver.Run<TKernels>(problem);
    }

    private static void ChannelScratch(int channels, int plane, int extra, out float[] scratch, out int packedLength)
    {
        // One packed factor serves both products: Fᵀ's strips for the Gram matrix (in = HW, out = C), F's for A·F (in = C, out = HW).
        packedLength = Math.Max(MatrixLayout.PackedLength(plane, channels), MatrixLayout.PackedLength(channels, plane));
        scratch = LayerScratch.Rent(checked(packedLength + channels * channels + extra));
    }

    /// <summary><c>energy = F Fᵀ</c> (<c>[C, C]</c>) for <c>F</c> = <paramref name="features"/> <c>[C, HW]</c>: F's rows are the packed weight's output features.</summary>
    private static void Gram(KernelPath path, ReadOnlySpan<float> features, int channels, int plane, Span<float> packed, Span<float> energy, int threads)
    {
        int length = LinearKernels.PackedLength(plane, channels);
        LinearKernels.Pack(features, plane, channels, packed.Slice(0, length));
        ProjectionDriver.Forward(path, features, channels, plane, packed.Slice(0, length), default, plane, channels, energy, channels, threads);
    }

    /// <summary><c>mixed = A F</c> (<c>[C, HW]</c>): F <c>[C, HW]</c> is already input-major for this product.</summary>
    private static void Mix(KernelPath path, ReadOnlySpan<float> attention, ReadOnlySpan<float> features, int channels, int plane, Span<float> packed, Span<float> mixed, int threads)
    {
        int length = LinearKernels.PackedLength(channels, plane);
        MatrixLayout.PackInputMajor(features, channels, plane, packed.Slice(0, length));
        ProjectionDriver.Forward(path, attention, channels, channels, packed.Slice(0, length), default, channels, plane, mixed, plane, threads);
    }
}
