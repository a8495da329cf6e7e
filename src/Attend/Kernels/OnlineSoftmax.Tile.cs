using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Attend.Kernels;

internal static unsafe partial class OnlineSoftmax
{
    private const int MaxTileRows = 16;

    /// <summary>Logits per step of the tile kernel on one width: four registers, for independent chains.</summary>
    private static int TileBlock<TLanes>()
        where TLanes : struct, ITileLanes => 4 * TLanes.Count;

    /// <summary>
    /// Rows of a multiple of <see cref="TileBlock{TLanes}"/> logits (a whole key tile, the common case), in three passes
    /// over the rows (maxima, weights, sums) whose iterations are independent, so the out-of-order core overlaps the
    /// rows' long latency chains (horizontal reductions, exp) instead of running them one after another. One body for
    /// both widths: the JIT compiles each struct instantiation for its own registers, every call inlined.
    /// </summary>
    /// <remarks>
    /// The maxima propagate NaN (<see cref="Vector512.Max{T}(Vector512{T}, Vector512{T})"/>, not the native <c>vmaxps</c>,
    /// which returns its second operand when either is NaN): a diagonal tile pads a row's unseen keys with −∞, and a row
    /// whose every seen logit is NaN would otherwise end with a maximum of −∞ and be cleared to zeros, a plausible-looking
    /// output for a non-finite input.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UpdateTileRows<TVector, TLanes>(float* scores, int stride, int rows, int count, float* runningMax, float* runningSum, float* rescale)
        where TVector : unmanaged
        where TLanes : struct, ITileLanes<TVector>
    {
        int c = TLanes.Count;
        float* newMax = stackalloc float[MaxTileRows];
        for (int r = 0; r < rows; r++)
        {
            float* row = scores + r * stride;
            TVector a = TLanes.Max(TLanes.Load(row), TLanes.Load(row + c));
            TVector b = TLanes.Max(TLanes.Load(row + 2 * c), TLanes.Load(row + 3 * c));
            for (int j = 4 * c; j < count; j += 4 * c)
            {
                a = TLanes.Max(a, TLanes.Max(TLanes.Load(row + j), TLanes.Load(row + j + c)));
                b = TLanes.Max(b, TLanes.Max(TLanes.Load(row + j + 2 * c), TLanes.Load(row + j + 3 * c)));
            }

            float previous = runningMax[r];
            float max = Math.Max(previous, TLanes.MaxAcross(TLanes.Max(a, b)));
            newMax[r] = max;
            rescale[r] = max == previous ? 1f : VectorExp.Exp(previous - max); // e^0 is exactly 1: skipping it changes no bit
            runningMax[r] = max;
        }

        TVector* sums = stackalloc TVector[MaxTileRows];
        for (int r = 0; r < rows; r++)
        {
            float* row = scores + r * stride;
            if (float.IsNegativeInfinity(newMax[r]))
            {
                new Span<float>(row, count).Clear(); // nothing seen yet: no weights, and no −∞ − (−∞) = NaN
                sums[r] = TLanes.Broadcast(0f);
                continue;
            }

            TVector shift = TLanes.Broadcast(newMax[r]);
            TVector sumA = TLanes.Broadcast(0f), sumB = sumA;
            for (int j = 0; j < count; j += 4 * c)
            {
                TVector x0 = TLanes.Exp(TLanes.Subtract(TLanes.Load(row + j), shift));
                TVector x1 = TLanes.Exp(TLanes.Subtract(TLanes.Load(row + j + c), shift));
                TVector x2 = TLanes.Exp(TLanes.Subtract(TLanes.Load(row + j + 2 * c), shift));
                TVector x3 = TLanes.Exp(TLanes.Subtract(TLanes.Load(row + j + 3 * c), shift));
                TLanes.Store(x0, row + j);
                TLanes.Store(x1, row + j + c);
                TLanes.Store(x2, row + j + 2 * c);
                TLanes.Store(x3, row + j + 3 * c);
                sumA = TLanes.Add(sumA, TLanes.Add(x0, x2));
                sumB = TLanes.Add(sumB, TLanes.Add(x1, x3));
            }

            sums[r] = TLanes.Add(sumA, sumB);
        }

        for (int r = 0; r < rows; r++)
        {
            runningSum[r] = runningSum[r] * rescale[r] + TLanes.SumAcross(sums[r]);
        }
    }

    /// <summary>The register operations of the tile kernel, per width; <c>Exp</c> is <see cref="VectorExp"/>, as in <see cref="Update"/>.</summary>
    private interface ITileLanes
    {
        static abstract int Count { get; }
    }

    /// <inheritdoc cref="ITileLanes"/>
    private interface ITileLanes<TVector> : ITileLanes
        where TVector : unmanaged
    {
        static abstract TVector Load(float* source);

        static abstract void Store(TVector value, float* destination);

        static abstract TVector Broadcast(float value);

        static abstract TVector Add(TVector a, TVector b);

        static abstract TVector Subtract(TVector a, TVector b);

        /// <summary>Per lane, NaN if either lane is NaN.</summary>
        static abstract TVector Max(TVector a, TVector b);

        static abstract TVector Exp(TVector x);

        static abstract float MaxAcross(TVector value);

        static abstract float SumAcross(TVector value);
    }

    private readonly struct TileLanes512 : ITileLanes<Vector512<float>>
    {
        public static int Count => 16;

        public static Vector512<float> Load(float* source) => Vector512.Load(source);

        public static void Store(Vector512<float> value, float* destination) => value.Store(destination);

        public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

        public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

        public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;

        public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);

        public static Vector512<float> Exp(Vector512<float> x) => VectorExp.Exp(x);

        public static float MaxAcross(Vector512<float> value) => TileLanes256.MaxAcross(Vector256.Max(value.GetLower(), value.GetUpper()));

        public static float SumAcross(Vector512<float> value) => TileLanes256.SumAcross(value.GetLower() + value.GetUpper());
    }

    private readonly struct TileLanes256 : ITileLanes<Vector256<float>>
    {
        public static int Count => 8;

        public static Vector256<float> Load(float* source) => Vector256.Load(source);

        public static void Store(Vector256<float> value, float* destination) => value.Store(destination);

        public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

        public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

        public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;

        public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);

        public static Vector256<float> Exp(Vector256<float> x) => VectorExp.Exp(x);

        public static float MaxAcross(Vector256<float> value)
        {
            Vector128<float> q = Vector128.Max(value.GetLower(), value.GetUpper());
            q = Vector128.Max(q, Vector128.Shuffle(q, Vector128.Create(2, 3, 0, 1)));
            q = Vector128.Max(q, Vector128.Shuffle(q, Vector128.Create(1, 0, 3, 2)));
            return q.ToScalar();
        }

        public static float SumAcross(Vector256<float> value)
        {
            Vector128<float> q = value.GetLower() + value.GetUpper();
            q += Vector128.Shuffle(q, Vector128.Create(2, 3, 0, 1));
            q += Vector128.Shuffle(q, Vector128.Create(1, 0, 3, 2));
            return q.ToScalar();
        }
    }
}
