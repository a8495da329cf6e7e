using System;

namespace Attend.Kernels;

/// <summary>The validated sizes of one <see cref="Convolution2d.Same"/> call.</summary>
internal readonly struct ConvolutionShape
{
    public KernelPath Path { get; private init; }

    public int InChannels { get; private init; }

    public int Height { get; private init; }

    public int Width { get; private init; }

    public int OutChannels { get; private init; }

    public int KernelHeight { get; private init; }

    public int KernelWidth { get; private init; }

    public int Dilation { get; private init; }

    public int Groups { get; private init; }

    public int InPerGroup => InChannels / Groups;

    public int OutPerGroup => OutChannels / Groups;

    /// <summary>Zero rows above and below: <c>dilation·(kernelHeight − 1)/2</c>.</summary>
    public int PadHeight => Dilation * (KernelHeight - 1) / 2;

    /// <summary>Zero columns left and right: <c>dilation·(kernelWidth − 1)/2</c>.</summary>
    public int PadWidth => Dilation * (KernelWidth - 1) / 2;

    /// <summary>Checks every argument of <see cref="Convolution2d.Same"/>, naming the first that is wrong, before any memory is touched.</summary>
    public static ConvolutionShape Validate(KernelPath path, ReadOnlySpan<float> input, int inChannels, int height, int width,
        ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, int outChannels, int kernelHeight, int kernelWidth,
        int dilation, int groups, Span<float> output)
    {
        if (path is < KernelPath.Auto or > KernelPath.Vector512)
        {
            throw new ArgumentOutOfRangeException(nameof(path), path, "Expected Auto, Scalar, Vector128, Vector256 or Vector512.");
        }

        ArgumentChecks.Positive(inChannels, nameof(inChannels));
        ArgumentChecks.Positive(height, nameof(height));
        ArgumentChecks.Positive(width, nameof(width));
        ArgumentChecks.Positive(outChannels, nameof(outChannels));
        ArgumentChecks.Positive(kernelHeight, nameof(kernelHeight));
        ArgumentChecks.Positive(kernelWidth, nameof(kernelWidth));
        ArgumentChecks.Positive(dilation, nameof(dilation));
        ArgumentChecks.Positive(groups, nameof(groups));
        Odd(kernelHeight, nameof(kernelHeight));
        Odd(kernelWidth, nameof(kernelWidth));
        if (inChannels % groups != 0 || outChannels % groups != 0)
        {
            throw new ArgumentException(
                $"groups = {groups} must divide inChannels = {inChannels} and outChannels = {outChannels}.", nameof(groups));
        }

        long paddedWidth = width + (long)dilation * (kernelWidth - 1);
        long paddedHeight = height + (long)dilation * (kernelHeight - 1);
        if (paddedWidth > int.MaxValue || paddedHeight > int.MaxValue || (long)inChannels * height * paddedWidth > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(dilation), dilation,
                $"The padded input ({inChannels} × {height} × {paddedWidth}) would exceed an array's length.");
        }

        int inPerGroup = inChannels / groups;
        ArgumentChecks.Length(input.Length, (long)inChannels * height * width, nameof(input),
            $"inChannels × height × width = {inChannels} × {height} × {width}");
        ArgumentChecks.Length(weight.Length, (long)outChannels * inPerGroup * kernelHeight * kernelWidth, nameof(weight),
            $"outChannels × (inChannels / groups) × kernelHeight × kernelWidth = {outChannels} × {inPerGroup} × {kernelHeight} × {kernelWidth}");
        SpanChecks.ExactOrEmpty(bias.Length, outChannels, nameof(bias), "outChannels");
        ArgumentChecks.Length(output.Length, (long)outChannels * height * width, nameof(output),
            $"outChannels × height × width = {outChannels} × {height} × {width}");
        if (((ReadOnlySpan<float>)output).Overlaps(input) || ((ReadOnlySpan<float>)output).Overlaps(weight) ||
            ((ReadOnlySpan<float>)output).Overlaps(bias))
        {
            throw new ArgumentException("output must not overlap input, weight or bias.", nameof(output));
        }

        return new ConvolutionShape
        {
            Path = KernelPaths.Resolve(path),
            InChannels = inChannels,
            Height = height,
            Width = width,
            OutChannels = outChannels,
            KernelHeight = kernelHeight,
            KernelWidth = kernelWidth,
            Dilation = dilation,
            Groups = groups,
        };
    }

    private static void Odd(int size, string name)
    {
        if (size % 2 == 0)
        {
            throw new ArgumentException($"{name} must be odd so that 'same' padding is symmetric; it was {size}.", name);
        }
    }
}
