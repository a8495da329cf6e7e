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
    }

    private readonly struct GeluErf : IActivation
    {
        private const float InverseSqrt2 = 0.70710678118654752f;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TVector Invoke<TLanes, TVector>(TVector x)
            where TLanes : struct, IFloatLanes<TVector>
            where TVector : struct
        {
            TVector z = TLanes.Multiply(TLanes.Abs(x), TLanes.Broadcast(InverseSqrt2));
            TVector half = TLanes.Multiply(Erfc<TLanes, TVector>(z), TLanes.Broadcast(0.5f));
            TVector cdf = TLanes.SelectWhereNegative(x, half, TLanes.Subtract(TLanes.Broadcast(1f), half));
            return TLanes.Multiply(x, cdf);
        }

        /// <summary>erfc(z) for z ≥ 0: <c>t·exp(−z² + P(t))</c>, <c>t = 1/(1 + z/2)</c>, P a degree-9 Chebyshev fit.</summary>
        /// <remarks>
        /// Inlined, with the single-precision exp (≤ 2 ulps, which keeps erfc within 3e-7 relative): the call and the BCL's
        /// double-precision exp made GELU cost a sixth of a whole BERT forward pass.
        /// </remarks>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TVector Erfc<TLanes, TVector>(TVector z)
            where TLanes : struct, IFloatLanes<TVector>
            where TVector : struct
        {
            TVector one = TLanes.Broadcast(1f);
            TVector t = TLanes.Divide(one, TLanes.MultiplyAdd(z, TLanes.Broadcast(0.5f), one));
            TVector p = TLanes.Broadcast(0.17087277f);
            p = TLanes.MultiplyAdd(p, t, TLanes.Broadcast(-0.82215223f));
            p = TLanes.MultiplyAdd(p, t, TLanes.Broadcast(1.48851587f));
            p = TLanes.MultiplyAdd(p, t, TLanes.Broadcast(-1.13520398f));
            p = TLanes.MultiplyAdd(p, t, TLanes.Broadcast(0.27886807f));
            p = TLanes.MultiplyAdd(p, t, TLanes.Broadcast(-0.18628806f));
            p = TLanes.MultiplyAdd(p, t, TLanes.Broadcast(0.09678418f));
            p = TLanes.MultiplyAdd(p, t, TLanes.Broadcast(0.37409196f));
            p = TLanes.MultiplyAdd(p, t, TLanes.Broadcast(1.00002368f));
            p = TLanes.MultiplyAdd(p, t, TLanes.Broadcast(-1.26551223f));
            TVector exponent = TLanes.Subtract(p, TLanes.Multiply(z, z));
            return TLanes.Multiply(t, TLanes.ExpFast(exponent));
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
    }

    private readonly struct Rectifier : IActivation
    {
        public static TVector Invoke<TLanes, TVector>(TVector x)
            where TLanes : struct, IFloatLanes<TVector>
            where TVector : struct =>
            TLanes.Max(x, TLanes.Broadcast(0f));
    }
}
