using System;
using System.Buffers;
using System.Threading.Tasks;

namespace Attend.Kernels;

/// <summary>
/// Runs a generated <see cref="IFeatureMapAttention"/> block over every sample of an NCHW batch, on the calling
/// thread or split by sample across threads; each sample is computed by the same code whichever thread takes
/// it, so the results do not depend on the split.
/// </summary>
public static class FeatureMapAttention
{
    /// <summary>Below this many input floats threads cost more than they save.</summary>
    internal const long ParallelWorkThreshold = 1L << 15;

    /// <summary>
    /// Applies <paramref name="block"/> to each of the <paramref name="batch"/> samples of <paramref name="input"/>
    /// (<c>[batch, channels, height, width]</c>) into <paramref name="output"/>.
    /// </summary>
    /// <param name="block">The generated block.</param>
    /// <param name="path">The instruction-set path; <see cref="KernelPath.Auto"/> picks <see cref="KernelPaths.Best"/>.</param>
    /// <param name="input">The batch, <c>batch × channels × height × width</c> floats.</param>
    /// <param name="output">Same size as <paramref name="input"/>; may be the very same memory (in place), but must not overlap it otherwise.</param>
    /// <param name="batch">Samples, at least 1.</param>
    /// <param name="channels">Channels per sample, the block's constant.</param>
    /// <param name="height">Rows per map, at least 1.</param>
    /// <param name="width">Columns per map, at least 1.</param>
    /// <param name="channelScale">Empty, or <c>batch × channels</c> floats that receive the per-channel factors.</param>
    /// <param name="spatialScale">Empty, or <c>batch × height × width</c> floats that receive the per-pixel factors.</param>
    /// <param name="maxDegreeOfParallelism">Most threads to use, at least 1.</param>
    /// <exception cref="ArgumentException">A size is out of range, a span has the wrong length, or output partly overlaps input.</exception>
    public static unsafe void Run<TBlock>(in TBlock block, KernelPath path, ReadOnlySpan<float> input, Span<float> output,
        int batch, int channels, int height, int width, Span<float> channelScale, Span<float> spatialScale, int maxDegreeOfParallelism)
        where TBlock : struct, IFeatureMapAttention
    {
        ArgumentChecks.Positive(batch, nameof(batch));
        ArgumentChecks.Positive(channels, nameof(channels));
        ArgumentChecks.Positive(height, nameof(height));
        ArgumentChecks.Positive(width, nameof(width));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDegreeOfParallelism, 1);
        long plane = (long)height * width;
        long sample = channels * plane;
        ArgumentChecks.Length(input.Length, batch * sample, nameof(input), $"batch × channels × height × width = {batch} × {channels} × {height} × {width}");
        ArgumentChecks.Length(output.Length, batch * sample, nameof(output), $"batch × channels × height × width = {batch} × {channels} × {height} × {width}");
        if (!channelScale.IsEmpty) ArgumentChecks.Length(channelScale.Length, (long)batch * channels, nameof(channelScale), $"batch × channels = {batch} × {channels}");
        if (!spatialScale.IsEmpty) ArgumentChecks.Length(spatialScale.Length, batch * plane, nameof(spatialScale), $"batch × height × width = {batch} × {height} × {width}");
        if (input.Overlaps(output, out int offset) && offset != 0)
        {
            throw new ArgumentException("output overlaps input at a different offset; pass separate buffers, or the same buffer for an in-place update.", nameof(output));
        }

        KernelPath resolved = KernelPaths.Resolve(path);
        int scratchLength = block.ScratchLength(height, width);
        int sampleLength = (int)sample;
        int planeLength = (int)plane;
        if (maxDegreeOfParallelism == 1 || batch == 1 || input.Length < ParallelWorkThreshold)
        {
            float[] scratch = ArrayPool<float>.Shared.Rent(scratchLength);
            try
            {
                for (int b = 0; b < batch; b++)
                {
                    block.Apply(resolved, input.Slice(b * sampleLength, sampleLength), output.Slice(b * sampleLength, sampleLength), height, width,
                        channelScale.IsEmpty ? default : channelScale.Slice(b * channels, channels),
                        spatialScale.IsEmpty ? default : spatialScale.Slice(b * planeLength, planeLength),
                        scratch.AsSpan(0, scratchLength));
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scratch);
            }

            return;
        }

        RunParallel(block, resolved, input, output, batch, channels, height, width, channelScale, spatialScale, scratchLength, maxDegreeOfParallelism);
    }

    /// <summary>
    /// The batch split across threads. A method of its own because the lambda's captures live in a closure object the
    /// compiler allocates on entry to the method declaring them: here, not on every single-threaded call.
    /// </summary>
    private static unsafe void RunParallel<TBlock>(in TBlock block, KernelPath resolved, ReadOnlySpan<float> input, Span<float> output,
        int batch, int channels, int height, int width, Span<float> channelScale, Span<float> spatialScale, int scratchLength, int maxDegreeOfParallelism)
        where TBlock : struct, IFeatureMapAttention
    {
        int planeLength = height * width;
        int sampleLength = channels * planeLength;
        fixed (float* inputPointer = input)
        fixed (float* outputPointer = output)
        fixed (float* channelPointer = channelScale)
        fixed (float* spatialPointer = spatialScale)
        {
            // Spans cannot enter the delegate, so the pinned buffers travel as pointers.
            TBlock local = block;
            nint inputAddress = (nint)inputPointer, outputAddress = (nint)outputPointer;
            nint channelAddress = (nint)channelPointer, spatialAddress = (nint)spatialPointer;
            bool writeChannel = !channelScale.IsEmpty, writeSpatial = !spatialScale.IsEmpty;
            Parallel.For(
                0,
                batch,
                new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism },
                () => ArrayPool<float>.Shared.Rent(scratchLength),
                (b, _, scratch) =>
                {
                    local.Apply(resolved,
                        new ReadOnlySpan<float>((float*)inputAddress + (nint)b * sampleLength, sampleLength),
                        new Span<float>((float*)outputAddress + (nint)b * sampleLength, sampleLength),
                        height, width,
                        writeChannel ? new Span<float>((float*)channelAddress + (nint)b * channels, channels) : default,
                        writeSpatial ? new Span<float>((float*)spatialAddress + (nint)b * planeLength, planeLength) : default,
                        scratch.AsSpan(0, scratchLength));
                    return scratch;
                },
                scratch => ArrayPool<float>.Shared.Return(scratch));
        }
    }
}
