using System;
using System.Runtime.Intrinsics;

namespace Attend.Kernels;

public static partial class Convolution2d
{
    /// <summary>
    /// Kernels larger than 1×1: for each group and output row, the kernel rows that land inside the image (the others
    /// would multiply zero padding) over the width-padded input, every output channel and column in register tiles.
    /// </summary>
    private static unsafe void Direct(in ConvolutionShape shape, ReadOnlySpan<float> input, ReadOnlySpan<float> weight,
        ReadOnlySpan<float> bias, Span<float> output)
    {
        int height = shape.Height;
        int width = shape.Width;
        int padWidth = shape.PadWidth;
        int paddedWidth = width + 2 * padWidth;
        ReadOnlySpan<float> padded = padWidth == 0 ? input : PadColumns(input, shape.InChannels * height, width, padWidth);
        int kernelArea = shape.KernelHeight * shape.KernelWidth;
        nint inputChannelStride = (nint)height * paddedWidth;
        nint weightChannelStride = (nint)shape.InPerGroup * kernelArea;
        nint outputChannelStride = (nint)height * width;
        int channelBlock = InputChannelBlock(shape, paddedWidth);
        fixed (float* x = padded)
        fixed (float* w = weight)
        fixed (float* b = bias)
        fixed (float* y = output)
        {
            for (int g = 0; g < shape.Groups; g++)
            {
                float* groupInput = x + g * shape.InPerGroup * inputChannelStride;
                float* groupWeight = w + g * shape.OutPerGroup * weightChannelStride;
                float* groupBias = bias.IsEmpty ? null : b + g * shape.OutPerGroup;
                float* groupOutput = y + g * shape.OutPerGroup * outputChannelStride;
                for (int firstChannel = 0; firstChannel < shape.InPerGroup; firstChannel += channelBlock)
                {
                    int blockChannels = Math.Min(channelBlock, shape.InPerGroup - firstChannel);
                    for (int row = 0; row < height; row++)
                    {
                        (int firstTap, int tapRows) = RowsInside(row, height, shape.KernelHeight, shape.Dilation, shape.PadHeight);
                        var taps = new RowTaps(
                            groupInput + firstChannel * inputChannelStride + (nint)(row - shape.PadHeight + firstTap * shape.Dilation) * paddedWidth,
                            inputChannelStride, (nint)shape.Dilation * paddedWidth, tapRows, shape.KernelWidth, shape.Dilation,
                            weightChannelStride, kernelArea, blockChannels, firstChannel > 0);
                        ConvolveRow(shape.Path, taps, groupWeight + firstChannel * kernelArea + firstTap * shape.KernelWidth, groupBias,
                            groupOutput + (nint)row * width, outputChannelStride, shape.OutPerGroup, width);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Input channels per pass over the image: as many as keep the input rows one output row reads within about 16 KiB,
    /// so they stay in L1 while every output channel's tiles read them. Later passes add to the partial sums already in
    /// the output, which keeps each element's terms in input-channel order; that needs tiles that never overlap, so a
    /// width that is not a whole number of registers (whose last tile recomputes stored columns) takes every channel in one pass.
    /// </summary>
    private static int InputChannelBlock(in ConvolutionShape shape, int paddedWidth)
    {
        int lanes = shape.Path switch
        {
            KernelPath.Vector512 => 16,
            KernelPath.Vector256 => 8,
            KernelPath.Vector128 => 4,
            _ => 1,
        };
        if (shape.Width % lanes != 0)
        {
            return shape.InPerGroup;
        }

        const int l1Floats = 4096;
        int most = Math.Max(1, l1Floats / (shape.KernelHeight * paddedWidth));
        int blocks = (shape.InPerGroup + most - 1) / most;
        return (shape.InPerGroup + blocks - 1) / blocks;
    }

    /// <summary>
    /// The kernel rows <c>ky</c> whose input row <c>row − pad + ky·dilation</c> lies in <c>[0, height)</c>: a contiguous
    /// run, never empty (the centre row is the output row itself).
    /// </summary>
    internal static (int First, int Count) RowsInside(int row, int height, int kernelHeight, int dilation, int pad)
    {
        int first = pad <= row ? 0 : (pad - row + dilation - 1) / dilation;
        int end = Math.Min(kernelHeight, (height - 1 - row + pad) / dilation + 1);
        return (first, end - first);
    }

    /// <summary>Copies <paramref name="rows"/> rows of <paramref name="width"/> into this thread's scratch with <paramref name="pad"/> zeros on each side.</summary>
    private static ReadOnlySpan<float> PadColumns(ReadOnlySpan<float> input, int rows, int width, int pad)
    {
        int paddedWidth = width + 2 * pad;
        Span<float> padded = Scratch(rows * paddedWidth).AsSpan(0, rows * paddedWidth);
        for (int r = 0; r < rows; r++)
        {
            Span<float> destination = padded.Slice(r * paddedWidth, paddedWidth);
            destination[..pad].Clear();
            input.Slice(r * width, width).CopyTo(destination[pad..]);
            destination[(pad + width)..].Clear();
        }

        return padded;
    }

    /// <summary>What every tile of one output row reads: the input rows inside the image and the kernel rows that match them.</summary>
    private readonly unsafe struct RowTaps(float* input, nint channelStride, nint rowStep, int rows, int columns, int dilation,
        nint weightChannelStride, int kernelArea, int inputChannels, bool accumulate)
    {
        /// <summary>The group's first input channel at the first kernel row inside the image, padded column 0.</summary>
        public readonly float* Input = input;

        /// <summary>Floats between input channels of the padded input.</summary>
        public readonly nint ChannelStride = channelStride;

        /// <summary>Floats between the input rows of consecutive kernel rows: dilation · padded width.</summary>
        public readonly nint RowStep = rowStep;

        /// <summary>Kernel rows inside the image.</summary>
        public readonly int Rows = rows;

        /// <summary>Kernel columns.</summary>
        public readonly int Columns = columns;

        public readonly int Dilation = dilation;

        /// <summary>Floats between the weights of consecutive output channels: (in / groups) · kh · kw.</summary>
        public readonly nint WeightChannelStride = weightChannelStride;

        /// <summary>Floats between the weights of consecutive input channels: kh · kw.</summary>
        public readonly int KernelArea = kernelArea;

        /// <summary>Input channels per group.</summary>
        public readonly int InputChannels = inputChannels;

        /// <summary>Whether the tiles start from the partial sums in the output (a later block of input channels) rather than the bias.</summary>
        public readonly bool Accumulate = accumulate;
    }

    /// <summary>One output row of every output channel of a group, on <paramref name="path"/>.</summary>
    private static unsafe void ConvolveRow(KernelPath path, in RowTaps taps, float* weight, float* bias, float* output,
        nint outputChannelStride, int channels, int width)
    {
        switch (path)
        {
            case KernelPath.Vector512:
                ConvolveRow<Lanes512, Vector512<float>>(KernelPath.Vector256, taps, weight, bias, output, outputChannelStride, channels, width);
                break;
            case KernelPath.Vector256:
                ConvolveRow<Lanes256, Vector256<float>>(KernelPath.Vector128, taps, weight, bias, output, outputChannelStride, channels, width);
                break;
            case KernelPath.Vector128:
                ConvolveRow<Lanes128, Vector128<float>>(KernelPath.Scalar, taps, weight, bias, output, outputChannelStride, channels, width);
                break;
            default:
                ConvolveRow<ScalarLanes, float>(KernelPath.Scalar, taps, weight, bias, output, outputChannelStride, channels, width);
                break;
        }
    }

    /// <summary>
    /// Blocks of 4 output channels, then single channels; along the width, tiles of three registers, then two or one, then one
    /// more ending at the last column (it recomputes, bit for bit, columns already stored). A row narrower than one
    /// register goes to the <paramref name="narrower"/> path.
    /// </summary>
    private static unsafe void ConvolveRow<TLanes, TVector>(KernelPath narrower, in RowTaps taps, float* weight, float* bias,
        float* output, nint outputChannelStride, int channels, int width)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        int lanes = TLanes.Count;
        if (width < lanes)
        {
            ConvolveRow(narrower, taps, weight, bias, output, outputChannelStride, channels, width);
            return;
        }

        int channel = 0;
        for (; channel <= channels - 4; channel += 4)
        {
            ConvolveColumns<TLanes, TVector, Four>(taps, weight + channel * taps.WeightChannelStride,
                bias == null ? null : bias + channel, output + channel * outputChannelStride, outputChannelStride, width);
        }

        for (; channel < channels; channel++)
        {
            ConvolveColumns<TLanes, TVector, One>(taps, weight + channel * taps.WeightChannelStride,
                bias == null ? null : bias + channel, output + channel * outputChannelStride, outputChannelStride, width);
        }
    }

    private static unsafe void ConvolveColumns<TLanes, TVector, TChannels>(in RowTaps taps, float* weight, float* bias,
        float* output, nint outputChannelStride, int width)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
        where TChannels : struct, ITileSize
    {
        int lanes = TLanes.Count;
        int column = 0;

        // Whole registers left as 3·k + 1 end in two tiles of two rather than one of one: a single register's 4 chains
        // cannot hide the FMA latency, two registers' 8 can.
        int registers = width / lanes;
        int threeTiles = registers % 3 == 1 && registers >= 4 ? registers / 3 - 1 : registers / 3;
        for (int tile = 0; tile < threeTiles; tile++, column += 3 * lanes)
        {
            Tile<TLanes, TVector, TChannels, Three>(taps, column, weight, bias, output, outputChannelStride);
        }

        while (column <= width - 2 * lanes)
        {
            Tile<TLanes, TVector, TChannels, Two>(taps, column, weight, bias, output, outputChannelStride);
            column += 2 * lanes;
        }

        if (column <= width - lanes)
        {
            Tile<TLanes, TVector, TChannels, One>(taps, column, weight, bias, output, outputChannelStride);
            column += lanes;
        }

        if (column < width)
        {
            Tile<TLanes, TVector, TChannels, One>(taps, width - lanes, weight, bias, output, outputChannelStride);
        }
    }

    /// <summary>
    /// <c>TChannels</c> output channels × <c>TColumns</c> registers of columns starting at <paramref name="column"/>, kept
    /// in registers over every input channel, kernel row and kernel column: per tap, <c>TColumns</c> loads of the
    /// shifted input row and one broadcast weight per channel. The sizes are type arguments, so the JIT compiles each
    /// shape with the unused accumulators gone.
    /// </summary>
    private static unsafe void Tile<TLanes, TVector, TChannels, TColumns>(in RowTaps taps, int column, float* weight,
        float* bias, float* output, nint outputChannelStride)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
        where TChannels : struct, ITileSize
        where TColumns : struct, ITileSize
    {
        bool fourChannels = TChannels.Value == 4;
        bool twoColumns = TColumns.Value >= 2;
        bool threeColumns = TColumns.Value == 3;
        nuint second = (nuint)TLanes.Count;
        nuint third = 2 * second;
        nint ws = taps.WeightChannelStride;
        float* o = output + column;
        nint os = outputChannelStride;
        bool partial = taps.Accumulate;
        TVector a00 = Start<TLanes, TVector>(partial, bias, 0, o, 0);
        TVector a01 = twoColumns ? Start<TLanes, TVector>(partial, bias, 0, o, second) : default;
        TVector a02 = threeColumns ? Start<TLanes, TVector>(partial, bias, 0, o, third) : default;
        TVector a10 = default, a11 = default, a12 = default, a20 = default, a21 = default, a22 = default;
        TVector a30 = default, a31 = default, a32 = default;
        if (fourChannels)
        {
            a10 = Start<TLanes, TVector>(partial, bias, 1, o + os, 0);
            a20 = Start<TLanes, TVector>(partial, bias, 2, o + 2 * os, 0);
            a30 = Start<TLanes, TVector>(partial, bias, 3, o + 3 * os, 0);
            if (twoColumns)
            {
                a11 = Start<TLanes, TVector>(partial, bias, 1, o + os, second);
                a21 = Start<TLanes, TVector>(partial, bias, 2, o + 2 * os, second);
                a31 = Start<TLanes, TVector>(partial, bias, 3, o + 3 * os, second);
            }

            if (threeColumns)
            {
                a12 = Start<TLanes, TVector>(partial, bias, 1, o + os, third);
                a22 = Start<TLanes, TVector>(partial, bias, 2, o + 2 * os, third);
                a32 = Start<TLanes, TVector>(partial, bias, 3, o + 3 * os, third);
            }
        }

        float* channelInput = taps.Input + column;
        float* channelWeight = weight;
        for (int i = 0; i < taps.InputChannels; i++, channelInput += taps.ChannelStride, channelWeight += taps.KernelArea)
        {
            float* rowInput = channelInput;
            float* rowWeight = channelWeight;
            for (int r = 0; r < taps.Rows; r++, rowInput += taps.RowStep, rowWeight += taps.Columns)
            {
                float* tap = rowInput;
                for (int kx = 0; kx < taps.Columns; kx++, tap += taps.Dilation)
                {
                    TVector x0 = TLanes.Load(ref *tap, 0);
                    TVector x1 = twoColumns ? TLanes.Load(ref *tap, second) : default;
                    TVector x2 = threeColumns ? TLanes.Load(ref *tap, third) : default;
                    TVector w = TLanes.Broadcast(rowWeight[kx]);
                    a00 = TLanes.MultiplyAdd(w, x0, a00);
                    if (twoColumns) a01 = TLanes.MultiplyAdd(w, x1, a01);
                    if (threeColumns) a02 = TLanes.MultiplyAdd(w, x2, a02);
                    if (fourChannels)
                    {
                        w = TLanes.Broadcast(rowWeight[ws + kx]);
                        a10 = TLanes.MultiplyAdd(w, x0, a10);
                        if (twoColumns) a11 = TLanes.MultiplyAdd(w, x1, a11);
                        if (threeColumns) a12 = TLanes.MultiplyAdd(w, x2, a12);
                        w = TLanes.Broadcast(rowWeight[2 * ws + kx]);
                        a20 = TLanes.MultiplyAdd(w, x0, a20);
                        if (twoColumns) a21 = TLanes.MultiplyAdd(w, x1, a21);
                        if (threeColumns) a22 = TLanes.MultiplyAdd(w, x2, a22);
                        w = TLanes.Broadcast(rowWeight[3 * ws + kx]);
                        a30 = TLanes.MultiplyAdd(w, x0, a30);
                        if (twoColumns) a31 = TLanes.MultiplyAdd(w, x1, a31);
                        if (threeColumns) a32 = TLanes.MultiplyAdd(w, x2, a32);
                    }
                }
            }
        }

        TLanes.Store(a00, ref *o, 0);
        if (twoColumns) TLanes.Store(a01, ref *o, second);
        if (threeColumns) TLanes.Store(a02, ref *o, third);
        if (fourChannels)
        {
            TLanes.Store(a10, ref o[outputChannelStride], 0);
            TLanes.Store(a20, ref o[2 * outputChannelStride], 0);
            TLanes.Store(a30, ref o[3 * outputChannelStride], 0);
            if (twoColumns)
            {
                TLanes.Store(a11, ref o[outputChannelStride], second);
                TLanes.Store(a21, ref o[2 * outputChannelStride], second);
                TLanes.Store(a31, ref o[3 * outputChannelStride], second);
            }

            if (threeColumns)
            {
                TLanes.Store(a12, ref o[outputChannelStride], third);
                TLanes.Store(a22, ref o[2 * outputChannelStride], third);
                TLanes.Store(a32, ref o[3 * outputChannelStride], third);
            }
        }
    }

    /// <summary>An accumulator's first value: the partial sum stored at <paramref name="output"/> + <paramref name="offset"/> by the previous input-channel block, else the channel's bias.</summary>
    private static unsafe TVector Start<TLanes, TVector>(bool partial, float* bias, int channel, float* output, nuint offset)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct =>
        partial ? TLanes.Load(ref *output, offset) : TLanes.Broadcast(bias == null ? 0f : bias[channel]);

    /// <summary>A tile dimension fixed at compile time (a struct type argument is specialized by the JIT).</summary>
    private interface ITileSize
    {
        static abstract int Value { get; }
    }

    private readonly struct One : ITileSize
    {
        public static int Value => 1;
    }

    private readonly struct Two : ITileSize
    {
        public static int Value => 2;
    }

    private readonly struct Three : ITileSize
    {
        public static int Value => 3;
    }

    private readonly struct Four : ITileSize
    {
        public static int Value => 4;
    }
}
