using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Attend.Kernels;

/// <summary>
/// Element-wise activations of the transformer feed-forward block: GELU (exact, as <c>torch.nn.GELU()</c> and
/// ONNX <c>Gelu</c>; and the tanh approximation, <c>approximate='tanh'</c>) and ReLU. One body per
/// <see cref="KernelPath"/>; <c>output</c> may be <c>input</c> itself.
/// </summary>
public static class Activations
{
    /// <summary><c>output = x · Φ(x)</c>, Φ the standard normal CDF (exact GELU, erf form).</summary>
    /// <remarks>
    /// Φ is evaluated through the complementary error function, <c>Φ(x) = ½·erfc(|x|/√2)</c> for negative x and
    /// <c>1 − ½·erfc(|x|/√2)</c> otherwise, with the Chebyshev fit <c>erfc(z) = t·exp(−z² + P(t))</c>,
    /// <c>t = 1/(1 + z/2)</c> (fractional error below 1.2e-7 everywhere, plus the single-precision exp's 2 ulps on the
    /// vector paths: below 4e-7 in all). Working from erfc keeps the relative
    /// accuracy on the negative side, where <c>1 + erf</c> would cancel.
    /// </remarks>
    /// <exception cref="ArgumentException">The spans differ in length or partially overlap.</exception>
    public static void Gelu(KernelPath path, ReadOnlySpan<float> input, Span<float> output)
    {
        Validate(input, output);
        switch (KernelPaths.Resolve(path))
        {
            case KernelPath.Vector512: Apply<Lanes512, Vector512<float>, GeluErf>(input, output); break;
            case KernelPath.Vector256: Apply<Lanes256, Vector256<float>, GeluErf>(input, output); break;
            case KernelPath.Vector128: Apply<Lanes128, Vector128<float>, GeluErf>(input, output); break;
            default: Apply<ScalarLanes, float, GeluErf>(input, output); break;
        }
    }

    /// <summary><c>output = ½x·(1 + tanh(√(2/π)·(x + 0.044715x³)))</c> (GELU, tanh approximation).</summary>
    /// <remarks>Evaluated as <c>x / (1 + exp(−2u))</c>, which equals the formula and has no cancellation near zero.</remarks>
    /// <exception cref="ArgumentException">The spans differ in length or partially overlap.</exception>
    public static void GeluTanh(KernelPath path, ReadOnlySpan<float> input, Span<float> output)
    {
        Validate(input, output);
        switch (KernelPaths.Resolve(path))
        {
            case KernelPath.Vector512: Apply<Lanes512, Vector512<float>, GeluTanhApproximation>(input, output); break;
            case KernelPath.Vector256: Apply<Lanes256, Vector256<float>, GeluTanhApproximation>(input, output); break;
            case KernelPath.Vector128: Apply<Lanes128, Vector128<float>, GeluTanhApproximation>(input, output); break;
            default: Apply<ScalarLanes, float, GeluTanhApproximation>(input, output); break;
        }
    }

    /// <summary><c>output = max(x, 0)</c>.</summary>
    /// <exception cref="ArgumentException">The spans differ in length or partially overlap.</exception>
    public static void Relu(KernelPath path, ReadOnlySpan<float> input, Span<float> output)
    {
        Validate(input, output);
        switch (KernelPaths.Resolve(path))
        {
            case KernelPath.Vector512: Apply<Lanes512, Vector512<float>, Rectifier>(input, output); break;
            case KernelPath.Vector256: Apply<Lanes256, Vector256<float>, Rectifier>(input, output); break;
            case KernelPath.Vector128: Apply<Lanes128, Vector128<float>, Rectifier>(input, output); break;
            default: Apply<ScalarLanes, float, Rectifier>(input, output); break;
        }
    }

    /// <summary>
    /// <paramref name="activation"/> in place on <paramref name="values"/> on an already resolved path: the epilogue
    /// <see cref="ProjectionDriver"/> runs on each block of a projection's output while it is still in cache.
    /// </summary>
    internal static void InPlace(FeedForwardActivation activation, KernelPath resolvedPath, Span<float> values)
    {
        switch (activation)
        {
            case FeedForwardActivation.Gelu: InPlace<GeluErf>(resolvedPath, values); break;
            case FeedForwardActivation.GeluTanh: InPlace<GeluTanhApproximation>(resolvedPath, values); break;
            default: InPlace<Rectifier>(resolvedPath, values); break;
        }
    }

    private static void InPlace<TFunction>(KernelPath resolvedPath, Span<float> values)
        where TFunction : struct, IActivation
    {
        switch (resolvedPath)
        {
            case KernelPath.Vector512: Apply<Lanes512, Vector512<float>, TFunction>(values, values); break;
            case KernelPath.Vector256: Apply<Lanes256, Vector256<float>, TFunction>(values, values); break;
            case KernelPath.Vector128: Apply<Lanes128, Vector128<float>, TFunction>(values, values); break;
            default: Apply<ScalarLanes, float, TFunction>(values, values); break;
        }
    }

    private static void Validate(ReadOnlySpan<float> input, Span<float> output)
    {
        SpanChecks.Exact(output.Length, input.Length, nameof(output), "input.Length");
        SpanChecks.SameOrDisjoint(input, output, nameof(input), nameof(output));
    }

    private static void Apply<TLanes, TVector, TFunction>(ReadOnlySpan<float> input, Span<float> output)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
        where TFunction : struct, IActivation
    {
        ref float x = ref MemoryMarshal.GetReference(input);
        ref float y = ref MemoryMarshal.GetReference(output);
        int length = input.Length;
        int i = 0;
        for (; i <= length - 4 * TLanes.Count; i += 4 * TLanes.Count)
        {
            TVector a = TLanes.Load(ref x, (nuint)i), b = TLanes.Load(ref x, (nuint)(i + TLanes.Count));
            TVector c = TLanes.Load(ref x, (nuint)(i + 2 * TLanes.Count)), d = TLanes.Load(ref x, (nuint)(i + 3 * TLanes.Count));
            TFunction.InvokeFour<TLanes, TVector>(ref a, ref b, ref c, ref d);
            TLanes.Store(a, ref y, (nuint)i);
            TLanes.Store(b, ref y, (nuint)(i + TLanes.Count));
            TLanes.Store(c, ref y, (nuint)(i + 2 * TLanes.Count));
            TLanes.Store(d, ref y, (nuint)(i + 3 * TLanes.Count));
        }

        for (; i <= length - TLanes.Count; i += TLanes.Count)
        {
            TLanes.Store(TFunction.Invoke<TLanes, TVector>(TLanes.Load(ref x, (nuint)i)), ref y, (nuint)i);
        }

        for (; i < length; i++)
        {
            Unsafe.Add(ref y, i) = TFunction.Invoke<ScalarLanes, float>(Unsafe.Add(ref x, i));
        }
    }

    /// <summary>One activation, written once over the lanes so the vector body and the scalar remainder agree.</summary>
    private interface IActivation
    {
        static abstract TVector Invoke<TLanes, TVector>(TVector x)
            where TLanes : struct, IFloatLanes<TVector>
            where TVector : struct;

        /// <summary>
        /// <see cref="Invoke"/> on four registers, the same operations lane by lane (so the same bits): a function whose
        /// steps wait on each other interleaves the four, so that each step's latency is covered by the other three.
        /// </summary>
        static abstract void InvokeFour<TLanes, TVector>(ref TVector a, ref TVector b, ref TVector c, ref TVector d)
            where TLanes : struct, IFloatLanes<TVector>
            where TVector : struct;
    }

    private readonly struct GeluErf : IActivation
    {
        private const float InverseSqrt2 = 0.70710678118654752f;

        // P(t), highest degree first: the degree-9 Chebyshev fit in erfc(z) = t·exp(−z² + P(t)).
        private const float P9 = 0.17087277f, P8 = -0.82215223f, P7 = 1.48851587f, P6 = -1.13520398f, P5 = 0.27886807f;
        private const float P4 = -0.18628806f, P3 = 0.09678418f, P2 = 0.37409196f, P1 = 1.00002368f, P0 = -1.26551223f;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Invoke<TLanes, TVector>(TVector x)
            where TLanes : struct, IFloatLanes<TVector>
            where TVector : struct
        {
            TVector z = TLanes.Multiply(TLanes.Abs(x), TLanes.Broadcast(InverseSqrt2));
            TVector t = Reciprocal<TLanes, TVector>(z);
            TVector p = TLanes.Broadcast(P9);
            foreach (float coefficient in (ReadOnlySpan<float>)[P8, P7, P6, P5, P4, P3, P2, P1, P0])
            {
                p = TLanes.MultiplyAdd(p, t, TLanes.Broadcast(coefficient));
            }

            return Product<TLanes, TVector>(x, z, t, p);
        }

        /// <remarks>
        /// Each step on the four registers before the next: one register's polynomial is nine FMAs, each waiting on the one
        /// before, after a divide and before an exp, and the processor ran out of room to overlap the next elements' chains
        /// (Zen 5, Vector512, in cache: 0.57 ns an element one register at a time, 0.43 four at a time).
        /// </remarks>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void InvokeFour<TLanes, TVector>(ref TVector a, ref TVector b, ref TVector c, ref TVector d)
            where TLanes : struct, IFloatLanes<TVector>
            where TVector : struct
        {
            TVector scale = TLanes.Broadcast(InverseSqrt2);
            TVector za = TLanes.Multiply(TLanes.Abs(a), scale), zb = TLanes.Multiply(TLanes.Abs(b), scale);
            TVector zc = TLanes.Multiply(TLanes.Abs(c), scale), zd = TLanes.Multiply(TLanes.Abs(d), scale);
            TVector ta = Reciprocal<TLanes, TVector>(za), tb = Reciprocal<TLanes, TVector>(zb);
            TVector tc = Reciprocal<TLanes, TVector>(zc), td = Reciprocal<TLanes, TVector>(zd);
            TVector pa = TLanes.Broadcast(P9), pb = pa, pc = pa, pd = pa;
            foreach (float coefficient in (ReadOnlySpan<float>)[P8, P7, P6, P5, P4, P3, P2, P1, P0])
            {
                TVector term = TLanes.Broadcast(coefficient);
                pa = TLanes.MultiplyAdd(pa, ta, term);
                pb = TLanes.MultiplyAdd(pb, tb, term);
                pc = TLanes.MultiplyAdd(pc, tc, term);
                pd = TLanes.MultiplyAdd(pd, td, term);
            }

            a = Product<TLanes, TVector>(a, za, ta, pa);
            b = Product<TLanes, TVector>(b, zb, tb, pb);
            c = Product<TLanes, TVector>(c, zc, tc, pc);
            d = Product<TLanes, TVector>(d, zd, td, pd);
        }

        /// <summary><c>t = 1/(1 + z/2)</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TVector Reciprocal<TLanes, TVector>(TVector z)
            where TLanes : struct, IFloatLanes<TVector>
            where TVector : struct
        {
            TVector one = TLanes.Broadcast(1f);
            return TLanes.Divide(one, TLanes.MultiplyAdd(z, TLanes.Broadcast(0.5f), one));
        }

        /// <summary><c>x · Φ(x)</c> from <c>erfc(z) = t·exp(−z² + P(t))</c>, <c>z = |x|/√2</c>.</summary>
        /// <remarks>
        /// Inlined, with the single-precision exp (≤ 2 ulps, which keeps erfc within 3e-7 relative): the call and the BCL's
        /// double-precision exp made GELU cost a sixth of a whole BERT forward pass.
        /// </remarks>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TVector Product<TLanes, TVector>(TVector x, TVector z, TVector t, TVector p)
            where TLanes : struct, IFloatLanes<TVector>
            where TVector : struct
        {
            TVector erfc = TLanes.Multiply(t, TLanes.ExpFast(TLanes.Subtract(p, TLanes.Multiply(z, z))));
            TVector half = TLanes.Multiply(erfc, TLanes.Broadcast(0.5f));
            TVector cdf = TLanes.SelectWhereNegative(x, half, TLanes.Subtract(TLanes.Broadcast(1f), half));
            return TLanes.Multiply(x, cdf);
        }
    }

    private readonly struct GeluTanhApproximation : IActivation
    {
        private const float Sqrt2OverPi = 0.79788456080286536f;
        private const float Cubic = 0.044715f;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Invoke<TLanes, TVector>(TVector x)
            where TLanes : struct, IFloatLanes<TVector>
            where TVector : struct
        {
            // ½(1 + tanh u) = 1 / (1 + e^(−2u)), so the result is x / (1 + e^(−2u)).
            TVector x2 = TLanes.Multiply(x, x);
            TVector inner = TLanes.Multiply(x, TLanes.MultiplyAdd(x2, TLanes.Broadcast(Cubic), TLanes.Broadcast(1f)));
            TVector minusTwoU = TLanes.Multiply(inner, TLanes.Broadcast(-2f * Sqrt2OverPi));
            return TLanes.Divide(x, TLanes.Add(TLanes.Broadcast(1f), TLanes.ExpFast(minusTwoU)));
        }

        public static void InvokeFour<TLanes, TVector>(ref TVector a, ref TVector b, ref TVector c, ref TVector d)
            where TLanes : struct, IFloatLanes<TVector>
            where TVector : struct =>
            (a, b, c, d) = (Invoke<TLanes, TVector>(a), Invoke<TLanes, TVector>(b), Invoke<TLanes, TVector>(c), Invoke<TLanes, TVector>(d));
    }

    private readonly struct Rectifier : IActivation
    {
        public static TVector Invoke<TLanes, TVector>(TVector x)
            where TLanes : struct, IFloatLanes<TVector>
            where TVector : struct =>
            TLanes.Max(x, TLanes.Broadcast(0f));

        public static void InvokeFour<TLanes, TVector>(ref TVector a, ref TVector b, ref TVector c, ref TVector d)
            where TLanes : struct, IFloatLanes<TVector>
            where TVector : struct =>
            (a, b, c, d) = (Invoke<TLanes, TVector>(a), Invoke<TLanes, TVector>(b), Invoke<TLanes, TVector>(c), Invoke<TLanes, TVector>(d));
    }
}
