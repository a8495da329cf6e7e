using System;
using System.ComponentModel;

namespace Attend.Kernels;

/// <summary>
/// One <c>nn.Linear</c> weight packed for <see cref="LinearKernels"/> in a chosen <see cref="WeightPrecision"/>: float
/// panels (<see cref="LinearKernels.Pack"/>), bf16 panels, or int8 pair (or quad) panels with a scale per output feature and 64
/// (or 128) inputs. Generated layers
/// hold one per projection, pack it in <c>LoadWeights</c> and run it through <see cref="ProjectionDriver"/>.
/// </summary>
/// <remarks>
/// Every precision uses 16-wide column panels. bf16 panels are decoded to floats a K block at a time into an L1-sized
/// scratch and multiplied by the float kernels, so a bf16 projection gives exactly the bits of the float projection of
/// its rounded weights; int8 panels (pairs of inputs side by side) are multiplied in integers by activations quantised
/// per row to 16 bits (<see cref="Int8Gemm"/>), int8 quad panels by activations quantised to bytes per row and 128 inputs
/// (<see cref="ByteActivationGemm"/>). Either gives the same bits on every path and any thread count. A new instance holds no weights and computes
/// as if they were zero (the bias alone) until <see cref="Pack"/>; <see cref="Pack"/> is meant for a new instance that no
/// forward pass sees yet (generated layers pack a fresh weight set, then publish it).
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)] // only generated code uses it: kept out of users' IntelliSense
public sealed class PackedProjection
{
    /// <summary>A projection of <paramref name="inFeatures"/> → <paramref name="outFeatures"/> with zero weights.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or the packed weight would not fit an array.</exception>
    public PackedProjection(int inFeatures, int outFeatures)
    {
        PackedLength = LinearKernels.PackedLength(inFeatures, outFeatures);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
    }

    /// <summary>Input features (the inner dimension).</summary>
    public int InFeatures { get; }

    /// <summary>Output features.</summary>
    public int OutFeatures { get; }

    /// <summary>The precision of the packed weights (<see cref="WeightPrecision.Float32"/> before <see cref="Pack"/>).</summary>
    public WeightPrecision Precision { get; private set; }

    /// <summary>Bytes the packed weights occupy (panels, padding and int8 scales included); 0 before <see cref="Pack"/>.</summary>
    public long WeightBytes =>
        (long)(Float32Panels?.Length ?? 0) * sizeof(float) + (long)(BFloat16Panels?.Length ?? 0) * sizeof(ushort) +
        (Int8Panels?.Length ?? 0) + ((Int8Scales?.LongLength ?? 0) + (Int8NegatedColumnSums?.LongLength ?? 0)) * sizeof(float);

    /// <summary>Elements of one precision's panels: <see cref="LinearKernels.PackedLength"/>.</summary>
    internal int PackedLength { get; }

    // Each 64-byte aligned, as the kernels' 512-bit panel loads want (see AlignedArray).
    internal AlignedArray<float>? Float32Panels { get; private set; }

    internal AlignedArray<ushort>? BFloat16Panels { get; private set; }

    internal AlignedArray<sbyte>? Int8Panels { get; private set; }

    internal float[]? Int8Scales { get; private set; }

    /// <summary>Per int8 scale, the sum of its group's int8 weights (<see cref="WeightPrecision.Int8ByteActivations"/> only).</summary>
    internal float[]? Int8NegatedColumnSums { get; private set; }

    /// <summary>Whether <see cref="Pack"/> has run: an unpacked projection computes the bias alone.</summary>
    internal bool IsPacked => Float32Panels is not null || BFloat16Panels is not null || Int8Panels is not null;

    /// <summary>Packs a PyTorch weight, <c>[outFeatures, inFeatures]</c> row-major, in <paramref name="precision"/>.</summary>
    /// <param name="weight">Exactly <c>OutFeatures · InFeatures</c> floats.</param>
    /// <param name="precision">How to store it.</param>
    /// <exception cref="ArgumentException"><paramref name="weight"/> has the wrong length.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="precision"/> is not defined.</exception>
    public void Pack(ReadOnlySpan<float> weight, WeightPrecision precision)
    {
        if (precision is < WeightPrecision.Float32 or > WeightPrecision.Int8ByteActivations)
        {
            throw new ArgumentOutOfRangeException(nameof(precision), precision, "Expected Float32, BFloat16, Int8 or Int8ByteActivations.");
        }

        AlignedArray<float>? aligned = precision == WeightPrecision.Float32 ? new AlignedArray<float>(PackedLength) : null;
        Span<float> floats = aligned is null ? new float[PackedLength] : aligned.Span;
        LinearKernels.Pack(weight, InFeatures, OutFeatures, floats); // also checks the weight's length, for every precision
        switch (precision)
        {
            case WeightPrecision.BFloat16:
                BFloat16Panels = WeightQuantization.ToBFloat16Panels(floats);
                break;
            case WeightPrecision.Int8:
                (Int8Panels, Int8Scales) = WeightQuantization.ToInt8PairPanels(weight, InFeatures, OutFeatures);
                break;
            case WeightPrecision.Int8ByteActivations:
                (Int8Panels, Int8Scales, Int8NegatedColumnSums) = WeightQuantization.ToInt8QuadPanels(weight, InFeatures, OutFeatures);
                break;
            default:
                Float32Panels = aligned;
                break;
        }

        Precision = precision;
    }

    /// <summary>The weights this projection computes with, <c>[outFeatures, inFeatures]</c>: what tests compare against.</summary>
    internal float[] Dequantize()
    {
        var weight = new float[(long)OutFeatures * InFeatures];
        if (!IsPacked)
        {
            return weight;
        }

        Span<float> floats = Float32Panels is null ? new float[PackedLength] : Float32Panels.Span;
        if (BFloat16Panels is not null)
        {
            WeightQuantization.FromBFloat16Panels(BFloat16Panels.Span, floats);
        }
        else if (Precision == WeightPrecision.Int8ByteActivations)
        {
            WeightQuantization.FromInt8QuadPanels(Int8Panels!.Span, Int8Scales!, InFeatures, floats);
        }
        else if (Int8Panels is not null)
        {
            WeightQuantization.FromInt8PairPanels(Int8Panels.Span, Int8Scales!, InFeatures, floats);
        }

        for (int n = 0; n < OutFeatures; n++)
        {
            int panel = n / LinearKernels.PanelWidth, column = n % LinearKernels.PanelWidth;
            for (int k = 0; k < InFeatures; k++)
            {
                weight[(long)n * InFeatures + k] = floats[(int)(((long)panel * InFeatures + k) * LinearKernels.PanelWidth + column)];
            }
        }

        return weight;
    }
}
