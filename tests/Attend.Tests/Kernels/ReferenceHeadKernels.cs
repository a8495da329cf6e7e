using System;
using System.Runtime.CompilerServices;
using System.Threading;
using Attend.Kernels;
using Xunit;

namespace Attend.Tests.Kernels;

/// <summary>
/// Plain scalar <see cref="IAttentionHeadKernels"/> for tests: the head widths come from static fields the test sets
/// (see <see cref="Use"/>), so one struct serves every shape. Tests that use it belong to
/// <see cref="ReferenceHeadKernelsCollection"/>, which xunit runs one at a time.
/// </summary>
internal readonly struct ReferenceHeadKernels : IAttentionHeadKernels
{
    // Static (not [ThreadStatic]) so the driver's worker threads see the widths the test thread set.
    private static int s_dimHead;
    private static int s_valueDimHead;
    private static long s_scoredKeys;

    public static int DimHead => Volatile.Read(ref s_dimHead);

    public static int ValueDimHead => Volatile.Read(ref s_valueDimHead);

    /// <summary>Keys scored since the last <see cref="Use"/>: shows which keys the driver skipped.</summary>
    public static long ScoredKeys => Interlocked.Read(ref s_scoredKeys);

    /// <summary>Sets the widths the next driver calls see and resets <see cref="ScoredKeys"/>.</summary>
    public static void Use(int dimHead, int valueDimHead)
    {
        Volatile.Write(ref s_dimHead, dimHead);
        Volatile.Write(ref s_valueDimHead, valueDimHead);
        Interlocked.Exchange(ref s_scoredKeys, 0);
    }

    public static void Scores(KernelPath path, ReadOnlySpan<float> query, ReadOnlySpan<float> keys, int keyStride, int count, float scale, Span<float> scores)
    {
        RequireResolved(path);
        Interlocked.Add(ref s_scoredKeys, count);
        int dimHead = DimHead;
        for (int j = 0; j < count; j++)
        {
            float sum = 0;
            for (int d = 0; d < dimHead; d++)
            {
                sum += query[d] * keys[j * keyStride + d];
            }

            scores[j] = scale * sum;
        }
    }

    public static void WeightedSum(KernelPath path, ReadOnlySpan<float> weights, ReadOnlySpan<float> values, int valueStride, int count, Span<float> output)
    {
        RequireResolved(path);
        int valueDimHead = ValueDimHead;
        for (int d = 0; d < valueDimHead; d++)
        {
            float sum = 0;
            for (int j = 0; j < count; j++)
            {
                sum += weights[j] * values[j * valueStride + d];
            }

            output[d] = sum;
        }
    }

    /// <summary>A small tile (3 rows × 4 keys) so tests cross tile edges with small shapes.</summary>
    public static AttentionTileShape TileShape(KernelPath path)
    {
        RequireResolved(path);
        return new AttentionTileShape(3, 4);
    }

    public static void PackKeys(KernelPath path, ref float keys, nint keyStride, int count, ref float packed)
    {
        RequireResolved(path);
        int dimHead = DimHead;
        int blocks = (count + 3) / 4;
        for (int j = 0; j < blocks * 4; j++)
        {
            for (int d = 0; d < dimHead; d++)
            {
                Unsafe.Add(ref packed, (j / 4 * dimHead + d) * 4 + j % 4) = j < count ? Unsafe.Add(ref keys, j * keyStride + d) : 0f;
            }
        }
    }

    public static void ScoreTile(KernelPath path, ref float query, ref float packedKeys, int blocks, ref float scores, nint scoreStride)
    {
        RequireResolved(path);
        int dimHead = DimHead;
        Interlocked.Add(ref s_scoredKeys, 3L * blocks * 4);
        for (int r = 0; r < 3; r++)
        {
            for (int j = 0; j < blocks * 4; j++)
            {
                float sum = 0;
                for (int d = 0; d < dimHead; d++)
                {
                    sum += Unsafe.Add(ref query, r * dimHead + d) * Unsafe.Add(ref packedKeys, (j / 4 * dimHead + d) * 4 + j % 4);
                }

                Unsafe.Add(ref scores, r * scoreStride + j) = sum;
            }
        }
    }

    public static void AccumulateTile(KernelPath path, ref float weights, nint weightStride, ref float values, nint valueStride, int count, ref float output, ref float rescale)
    {
        RequireResolved(path);
        int valueDimHead = ValueDimHead;
        for (int r = 0; r < 3; r++)
        {
            for (int d = 0; d < valueDimHead; d++)
            {
                float sum = Unsafe.Add(ref output, r * valueDimHead + d) * Unsafe.Add(ref rescale, r);
                for (int j = 0; j < count; j++)
                {
                    sum += Unsafe.Add(ref weights, r * weightStride + j) * Unsafe.Add(ref values, j * valueStride + d);
                }

                Unsafe.Add(ref output, r * valueDimHead + d) = sum;
            }
        }
    }

    // The interface promises kernels never see Auto; catching it here proves the driver resolves the path.
    private static void RequireResolved(KernelPath path)
    {
        if (path is not (KernelPath.Scalar or KernelPath.Vector128 or KernelPath.Vector256 or KernelPath.Vector512))
        {
            throw new InvalidOperationException($"Kernel called with unresolved path {path}.");
        }
    }
}

/// <summary>Serializes the test classes that set <see cref="ReferenceHeadKernels"/>'s static widths.</summary>
[CollectionDefinition(Name)]
public sealed class ReferenceHeadKernelsCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "ReferenceHeadKernels";
}
