using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Attend.Kernels;

/// <summary>
/// Re-layouts the attention-over-feature-map layers need between NCHW planes (<c>[channels, pixels]</c>) and
/// token rows (<c>[pixels, channels]</c>), and the packing that lets <see cref="LinearKernels"/> multiply by a
/// matrix computed at run time (a Gram matrix's right factor, an attention map) instead of a loaded weight.
/// </summary>
internal static class MatrixLayout
{
    /// <summary>Square blocks of the transpose: 16 × 16 floats = 1 KiB read and written per block, both in L1.</summary>
    private const int TransposeBlock = 16;

    /// <summary><c>destination[c, r] = source[r, c]</c> for a row-major <c>[rows, columns]</c> source, cache-blocked.</summary>
    public static void Transpose(ReadOnlySpan<float> source, int rows, int columns, Span<float> destination)
    {
        ref float src = ref MemoryMarshal.GetReference(source);
        ref float dst = ref MemoryMarshal.GetReference(destination);
        for (int r0 = 0; r0 < rows; r0 += TransposeBlock)
        {
            int r1 = Math.Min(r0 + TransposeBlock, rows);
            for (int c0 = 0; c0 < columns; c0 += TransposeBlock)
            {
                int c1 = Math.Min(c0 + TransposeBlock, columns);
                for (int r = r0; r < r1; r++)
                {
                    for (int c = c0; c < c1; c++)
                    {
                        Unsafe.Add(ref dst, (nint)c * rows + r) = Unsafe.Add(ref src, (nint)r * columns + c);
                    }
                }
            }
        }
    }

    /// <summary>Floats <see cref="PackInputMajor"/> writes for a product with <paramref name="inFeatures"/> × <paramref name="outFeatures"/>.</summary>
    public static int PackedLength(int inFeatures, int outFeatures) => LinearKernels.PackedLength(inFeatures, outFeatures);

    /// <summary>
    /// Packs a right factor stored input-major (<c>[inFeatures, outFeatures]</c> row-major, i.e. <c>Wᵀ</c> of an
    /// <c>nn.Linear</c> weight) into <see cref="LinearKernels"/>' panel layout. The panel layout is itself
    /// input-major in 16-column strips, so this is a strip copy, O(in · out), no transpose.
    /// </summary>
    public static void PackInputMajor(ReadOnlySpan<float> source, int inFeatures, int outFeatures, Span<float> packed)
    {
        int panelWidth = LinearKernels.PanelWidth;
        int panels = LinearKernels.PanelCount(outFeatures);
        for (int panel = 0; panel < panels; panel++)
        {
            int first = panel * panelWidth;
            int width = Math.Min(panelWidth, outFeatures - first);
            Span<float> strip = packed.Slice(panel * panelWidth * inFeatures, panelWidth * inFeatures);
            for (int k = 0; k < inFeatures; k++)
            {
                Span<float> row = strip.Slice(k * panelWidth, panelWidth);
                source.Slice(k * outFeatures + first, width).CopyTo(row);
                if (width < panelWidth) row.Slice(width).Clear(); // the edge panel's extra columns compute zeros never stored
            }
        }
    }

    /// <summary>Writes one input-major row <paramref name="k"/> (<paramref name="outFeatures"/> floats) into a packed factor.</summary>
    public static void PackRow(ReadOnlySpan<float> row, int k, int inFeatures, int outFeatures, Span<float> packed)
    {
        int panelWidth = LinearKernels.PanelWidth;
        int panels = LinearKernels.PanelCount(outFeatures);
        for (int panel = 0; panel < panels; panel++)
        {
            int first = panel * panelWidth;
            int width = Math.Min(panelWidth, outFeatures - first);
            Span<float> target = packed.Slice((panel * inFeatures + k) * panelWidth, panelWidth);
            row.Slice(first, width).CopyTo(target);
            if (width < panelWidth) target.Slice(width).Clear();
        }
    }

    /// <summary><c>y[i] += a · x[i]</c> for <c>i &lt; x.Length</c>, on <paramref name="path"/>.</summary>
    public static void MultiplyAdd(KernelPath path, ReadOnlySpan<float> x, float a, Span<float> y)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        switch (path)
        {
            case KernelPath.Vector512: MultiplyAdd<Lanes512, System.Runtime.Intrinsics.Vector512<float>>(ref xr, a, ref yr, x.Length); break;
            case KernelPath.Vector256: MultiplyAdd<Lanes256, System.Runtime.Intrinsics.Vector256<float>>(ref xr, a, ref yr, x.Length); break;
            case KernelPath.Vector128: MultiplyAdd<Lanes128, System.Runtime.Intrinsics.Vector128<float>>(ref xr, a, ref yr, x.Length); break;
            default: MultiplyAdd<ScalarLanes, float>(ref xr, a, ref yr, x.Length); break;
        }
    }

    /// <summary><c>y[i] += a[i] · b[i]</c> for <c>i &lt; a.Length</c>, on <paramref name="path"/>.</summary>
    public static void MultiplyAccumulate(KernelPath path, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> y)
    {
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        ref float yr = ref MemoryMarshal.GetReference(y);
        switch (path)
        {
            case KernelPath.Vector512: MultiplyAccumulate<Lanes512, System.Runtime.Intrinsics.Vector512<float>>(ref ar, ref br, ref yr, a.Length); break;
            case KernelPath.Vector256: MultiplyAccumulate<Lanes256, System.Runtime.Intrinsics.Vector256<float>>(ref ar, ref br, ref yr, a.Length); break;
            case KernelPath.Vector128: MultiplyAccumulate<Lanes128, System.Runtime.Intrinsics.Vector128<float>>(ref ar, ref br, ref yr, a.Length); break;
            default: MultiplyAccumulate<ScalarLanes, float>(ref ar, ref br, ref yr, a.Length); break;
        }
    }

    /// <summary><c>y[c·plane + i] = gamma · x[c·plane + i] + residual[c·plane + i]</c> with <c>x</c> given token-major (<c>x[i, c]</c>): DANet's <c>gamma · out + x</c>.</summary>
    public static void ScaleTransposedAddResidual(KernelPath path, ReadOnlySpan<float> tokens, int plane, int channels, float gamma,
        ReadOnlySpan<float> residual, Span<float> output)
    {
        Transpose(tokens.Slice(0, plane * channels), plane, channels, output);
        ScaleAdd(path, output, gamma, residual, output);
    }

    /// <summary><c>y[i] = a · x[i] + r[i]</c>; <paramref name="y"/> may be <paramref name="x"/>.</summary>
    public static void ScaleAdd(KernelPath path, ReadOnlySpan<float> x, float a, ReadOnlySpan<float> r, Span<float> y)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float rr = ref MemoryMarshal.GetReference(r);
        ref float yr = ref MemoryMarshal.GetReference(y);
        switch (path)
        {
            case KernelPath.Vector512: ScaleAdd<Lanes512, System.Runtime.Intrinsics.Vector512<float>>(ref xr, a, ref rr, ref yr, x.Length); break;
            case KernelPath.Vector256: ScaleAdd<Lanes256, System.Runtime.Intrinsics.Vector256<float>>(ref xr, a, ref rr, ref yr, x.Length); break;
            case KernelPath.Vector128: ScaleAdd<Lanes128, System.Runtime.Intrinsics.Vector128<float>>(ref xr, a, ref rr, ref yr, x.Length); break;
            default: ScaleAdd<ScalarLanes, float>(ref xr, a, ref rr, ref yr, x.Length); break;
        }
    }

    private static void MultiplyAdd<TLanes, TVector>(ref float x, float a, ref float y, int length)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        TVector factor = TLanes.Broadcast(a);
        int i = 0;
        for (; i <= length - TLanes.Count; i += TLanes.Count)
        {
            TLanes.Store(TLanes.MultiplyAdd(TLanes.Load(ref x, (nuint)i), factor, TLanes.Load(ref y, (nuint)i)), ref y, (nuint)i);
        }

        for (; i < length; i++) Unsafe.Add(ref y, i) = ScalarLanes.MultiplyAdd(Unsafe.Add(ref x, i), a, Unsafe.Add(ref y, i));
    }

    private static void MultiplyAccumulate<TLanes, TVector>(ref float a, ref float b, ref float y, int length)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        int i = 0;
        for (; i <= length - TLanes.Count; i += TLanes.Count)
        {
            TLanes.Store(TLanes.MultiplyAdd(TLanes.Load(ref a, (nuint)i), TLanes.Load(ref b, (nuint)i), TLanes.Load(ref y, (nuint)i)), ref y, (nuint)i);
        }

        for (; i < length; i++) Unsafe.Add(ref y, i) = ScalarLanes.MultiplyAdd(Unsafe.Add(ref a, i), Unsafe.Add(ref b, i), Unsafe.Add(ref y, i));
    }

    private static void ScaleAdd<TLanes, TVector>(ref float x, float a, ref float r, ref float y, int length)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        TVector factor = TLanes.Broadcast(a);
        int i = 0;
        for (; i <= length - TLanes.Count; i += TLanes.Count)
        {
            TLanes.Store(TLanes.MultiplyAdd(TLanes.Load(ref x, (nuint)i), factor, TLanes.Load(ref r, (nuint)i)), ref y, (nuint)i);
        }

        for (; i < length; i++) Unsafe.Add(ref y, i) = ScalarLanes.MultiplyAdd(Unsafe.Add(ref x, i), a, Unsafe.Add(ref r, i));
    }
}
