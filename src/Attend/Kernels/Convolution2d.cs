using System;
using System.ComponentModel;

namespace Attend.Kernels;

/// <summary>
/// The "same"-size 2-D convolution of the External-Attention family's layers (SK branches, BAM's spatial branch,
/// Triplet Attention's 7×7 gates): one sample, NCHW, stride 1, zero padding so the output keeps the input's height
/// and width. Generated layers call it with their constants; it is not meant to be called by hand.
/// </summary>
/// <remarks>
/// <para>
/// 1×1 kernels are a matrix product, <c>out[O, H·W] = W[O, I] · x[I, H·W]</c> per group: the input plane is cut into
/// the 16-column panels <see cref="LinearKernels"/> streams and its register-blocked product does the rest.
/// </para>
/// <para>
/// Larger kernels run directly, vectorized along the width: each input row is copied once into a row with
/// <c>dilation·(kernelWidth − 1)/2</c> zeros on each side, so every output register of a row is
/// <c>Σ_taps broadcast(w) · (input row at a shifted column)</c> with no test at the borders; the taps that fall
/// above or below the image are left out by the loop bounds of each output row. A tile keeps 4 output channels × 3
/// registers of columns in registers (12 accumulators: enough independent chains to cover the FMA latency, 7 loads
/// per 12 FMAs) over a block of input channels and every tap. The input channels go in blocks whose input rows for
/// one output row fit in L1, so all output channels' tiles reuse them; a later block starts from the partial sums it
/// stored. Each output element is the bias plus its terms in (input channel, kernel row, kernel column) order
/// whichever tile or block computes it.
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class Convolution2d
{
    /// <summary>
    /// One sample, NCHW, stride 1, zero padding <c>dilation·(k − 1)/2</c> on each side so the output is
    /// <c>height × width</c> (odd kernel sizes). <c>out[o, y, x] = bias[o] + Σ_{i, ky, kx} weight[o, i, ky, kx] ·
    /// input[g·I/G + i, y + dilation·(ky − (kh − 1)/2), x + dilation·(kx − (kw − 1)/2)]</c> with <c>g = o / (O/G)</c>.
    /// </summary>
    /// <param name="path">The instruction-set path; <see cref="KernelPath.Auto"/> picks <see cref="KernelPaths.Best"/>.</param>
    /// <param name="input"><c>[inChannels, height, width]</c>.</param>
    /// <param name="inChannels">Input channels, positive and a multiple of <paramref name="groups"/>.</param>
    /// <param name="height">Rows of the image, positive.</param>
    /// <param name="width">Columns of the image, positive.</param>
    /// <param name="weight"><c>[outChannels, inChannels / groups, kernelHeight, kernelWidth]</c> (PyTorch layout).</param>
    /// <param name="bias"><c>[outChannels]</c>, or empty for none.</param>
    /// <param name="outChannels">Output channels, positive and a multiple of <paramref name="groups"/>.</param>
    /// <param name="kernelHeight">Kernel rows, positive and odd.</param>
    /// <param name="kernelWidth">Kernel columns, positive and odd.</param>
    /// <param name="dilation">Spacing of the kernel taps, positive.</param>
    /// <param name="groups">Channel groups, positive.</param>
    /// <param name="output"><c>[outChannels, height, width]</c>; must not overlap <paramref name="input"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size or the path is out of range.</exception>
    /// <exception cref="ArgumentException">A kernel size is even, the groups do not divide the channels, a span has the wrong length, or the output overlaps the input.</exception>
    public static void Same(KernelPath path, ReadOnlySpan<float> input, int inChannels, int height, int width,
        ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, int outChannels, int kernelHeight, int kernelWidth,
        int dilation, int groups, Span<float> output)
    {
        var shape = ConvolutionShape.Validate(path, input, inChannels, height, width, weight, bias, outChannels,
            kernelHeight, kernelWidth, dilation, groups, output);
        if (kernelHeight == 1 && kernelWidth == 1)
        {
            Pointwise(shape, input, weight, bias, output);
        }
        else
        {
            Direct(shape, input, weight, bias, output);
        }
    }

    /// <summary>1×1: per group, <c>out = W · x</c> through <see cref="LinearKernels"/>, then the bias added per output row.</summary>
    private static void Pointwise(in ConvolutionShape shape, ReadOnlySpan<float> input, ReadOnlySpan<float> weight,
        ReadOnlySpan<float> bias, Span<float> output)
    {
        int plane = shape.Height * shape.Width;
        int inPerGroup = shape.InPerGroup;
        int outPerGroup = shape.OutPerGroup;
        int packedLength = LinearKernels.PackedLength(inPerGroup, plane);
        Span<float> packed = Scratch(packedLength).AsSpan(0, packedLength);
        for (int g = 0; g < shape.Groups; g++)
        {
            PackPlanes(input.Slice(g * inPerGroup * plane, inPerGroup * plane), inPerGroup, plane, packed);
            Span<float> groupOutput = output.Slice(g * outPerGroup * plane, outPerGroup * plane);
            LinearKernels.Forward(shape.Path, weight.Slice(g * outPerGroup * inPerGroup, outPerGroup * inPerGroup), outPerGroup,
                inPerGroup, packed, [], inPerGroup, plane, groupOutput, plane);
            if (!bias.IsEmpty)
            {
                for (int o = 0; o < outPerGroup; o++)
                {
                    FeatureMapRows.AddConstant(shape.Path, groupOutput.Slice(o * plane, plane), bias[g * outPerGroup + o]);
                }
            }
        }
    }

    /// <summary>
    /// Cuts <c>[rows, columns]</c> row-major into the column panels <see cref="LinearKernels.Pack"/> writes for a weight
    /// whose output features are these columns: panel <c>p</c> holds <c>x[k, 16p .. 16p + 16)</c> for every row
    /// <c>k</c>, zero-padded past the last column.
    /// </summary>
    private static void PackPlanes(ReadOnlySpan<float> x, int rows, int columns, Span<float> packed)
    {
        const int panelWidth = LinearKernels.PanelWidth;
        int panels = LinearKernels.PanelCount(columns);
        for (int p = 0; p < panels; p++)
        {
            int first = p * panelWidth;
            int count = Math.Min(panelWidth, columns - first);
            Span<float> panel = packed.Slice(p * panelWidth * rows, panelWidth * rows);
            for (int k = 0; k < rows; k++)
            {
                Span<float> destination = panel.Slice(k * panelWidth, panelWidth);
                x.Slice(k * columns + first, count).CopyTo(destination);
                destination[count..].Clear();
            }
        }
    }

    [ThreadStatic]
    private static float[]? t_scratch;

    /// <summary>This thread's working buffer (the padded input or the packed plane), grown to the largest call seen.</summary>
    private static float[] Scratch(int length)
    {
        float[]? buffer = t_scratch;
        if (buffer is null || buffer.Length < length)
        {
            buffer = GC.AllocateUninitializedArray<float>(length);
            t_scratch = buffer;
        }

        return buffer;
    }
}
