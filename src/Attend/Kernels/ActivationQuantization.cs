using System;
using System.Runtime.Intrinsics;

namespace Attend.Kernels;

/// <summary>
/// Dynamic symmetric quantisation of activation rows to 16-bit integers for <see cref="Int8Gemm"/>: per row
/// <c>scale = max |x| / 32767</c> and <c>q = round(x · (32767 / max |x|))</c>, ties to even. Every path computes the same
/// float products and the same rounding, so the integers are identical on every path.
/// </summary>
/// <remarks>
/// Degenerate rows: all zeros (or a largest magnitude so small that <c>32767 / max</c> overflows) quantise to zeros with
/// scale 0, so the row's outputs are the bias, as the float product would nearly be; a row holding a NaN or an infinity
/// gets zeros and a NaN scale, so its outputs are NaN, as PyTorch's would not be finite either.
/// </remarks>
internal static unsafe class ActivationQuantization
{
    /// <summary>Largest 16-bit magnitude used: symmetric, so −32768 never occurs (and <c>vpmaddwd</c> never wraps).</summary>
    internal const int Limit = short.MaxValue;

    /// <summary>
    /// Quantises <paramref name="rows"/> rows of <paramref name="inFeatures"/> floats into 16-bit rows of
    /// <paramref name="outputStride"/> (≥ <paramref name="inFeatures"/>, even) values, zero past <paramref name="inFeatures"/>,
    /// and writes each row's scale.
    /// </summary>
    internal static void QuantizeRows(KernelPath path, float* input, int rows, nint inputStride, int inFeatures,
        short* output, nint outputStride, float* scales)
    {
        for (int r = 0; r < rows; r++)
        {
            float* row = input + r * inputStride;
            short* quantized = output + r * outputStride;
            new Span<short>(quantized + inFeatures, (int)outputStride - inFeatures).Clear();
            float largest = LargestMagnitude(path, row, inFeatures);
            float inverse = Limit / largest;
            if (!float.IsFinite(largest) || !float.IsFinite(inverse))
            {
                new Span<short>(quantized, inFeatures).Clear();
                scales[r] = float.IsFinite(largest) ? 0f : float.NaN;
                continue;
            }

            scales[r] = largest / Limit;
            Quantize(path, row, inFeatures, inverse, quantized);
        }
    }

    /// <summary>max |x| over the row; NaN if it holds a NaN (the vector and scalar maxima both propagate it).</summary>
    private static float LargestMagnitude(KernelPath path, float* row, int count)
    {
        float largest = 0f;
        int k = 0;
        if (path is KernelPath.Vector256 or KernelPath.Vector512 && count >= 8)
        {
            Vector256<float> lanes = Vector256<float>.Zero;
            for (; k + 8 <= count; k += 8)
            {
                lanes = Vector256.Max(lanes, Vector256.Abs(Vector256.Load(row + k)));
            }

            for (int j = 0; j < 8; j++)
            {
                largest = MathF.Max(largest, lanes[j]);
            }
        }
        else if (path == KernelPath.Vector128 && count >= 4)
        {
            Vector128<float> lanes = Vector128<float>.Zero;
            for (; k + 4 <= count; k += 4)
            {
                lanes = Vector128.Max(lanes, Vector128.Abs(Vector128.Load(row + k)));
            }

            for (int j = 0; j < 4; j++)
            {
                largest = MathF.Max(largest, lanes[j]);
            }
        }

        for (; k < count; k++)
        {
            largest = MathF.Max(largest, MathF.Abs(row[k]));
        }

        return largest;
    }

    /// <summary>
    /// <c>q = round(x · inverse)</c>, ties to even. |x · inverse| ≤ 32767 up to one rounding of the product, which rounds
    /// back to 32767, so no clamp is needed.
    /// </summary>
    private static void Quantize(KernelPath path, float* row, int count, float inverse, short* quantized)
    {
        int k = 0;
        if (path is KernelPath.Vector256 or KernelPath.Vector512)
        {
            Vector256<float> scale = Vector256.Create(inverse);
            for (; k + 16 <= count; k += 16)
            {
                Vector256<int> low = Vector256.ConvertToInt32(Vector256.Round(Vector256.Load(row + k) * scale));
                Vector256<int> high = Vector256.ConvertToInt32(Vector256.Round(Vector256.Load(row + k + 8) * scale));
                Vector256.Narrow(low, high).Store(quantized + k);
            }
        }
        else if (path == KernelPath.Vector128)
        {
            Vector128<float> scale = Vector128.Create(inverse);
            for (; k + 8 <= count; k += 8)
            {
                Vector128<int> low = Vector128.ConvertToInt32(Vector128.Round(Vector128.Load(row + k) * scale));
                Vector128<int> high = Vector128.ConvertToInt32(Vector128.Round(Vector128.Load(row + k + 4) * scale));
                Vector128.Narrow(low, high).Store(quantized + k);
            }
        }

        for (; k < count; k++)
        {
            quantized[k] = (short)MathF.Round(row[k] * inverse);
        }
    }
}
