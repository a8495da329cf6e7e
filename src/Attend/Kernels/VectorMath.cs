using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Attend.Kernels;

/// <summary>
/// Element-wise functions the runtime has no vector form of, one overload per register width, for generated
/// kernels. Each is written with <c>VectorNNN.Exp</c> so that it never overflows: the exponent is always
/// of a non-positive number.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)] // only generated code calls it: kept out of users' IntelliSense
public static class VectorMath
{
    /// <summary><c>tanh(x) = sign(x) · (1 - e) / (1 + e)</c> with <c>e = exp(-2|x|)</c> ∈ (0, 1]; absolute error a few ulps of 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Tanh(Vector512<float> x)
    {
        Vector512<float> e = Vector512.Exp(Vector512.Abs(x) * -2f);
        return Vector512.CopySign((Vector512<float>.One - e) / (Vector512<float>.One + e), x);
    }

    /// <inheritdoc cref="Tanh(Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Tanh(Vector256<float> x)
    {
        Vector256<float> e = Vector256.Exp(Vector256.Abs(x) * -2f);
        return Vector256.CopySign((Vector256<float>.One - e) / (Vector256<float>.One + e), x);
    }

    /// <inheritdoc cref="Tanh(Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Tanh(Vector128<float> x)
    {
        Vector128<float> e = Vector128.Exp(Vector128.Abs(x) * -2f);
        return Vector128.CopySign((Vector128<float>.One - e) / (Vector128<float>.One + e), x);
    }

    /// <summary>The logistic function <c>1 / (1 + exp(-x))</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    /// <summary>PyTorch's <c>hardsigmoid</c>: <c>clamp(x / 6 + 1/2, 0, 1)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float HardSigmoid(float x) => Math.Clamp(x / 6f + 0.5f, 0f, 1f);

    /// <summary>Largest lane of <paramref name="v"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Vector512<float> v) => MaxAcross(Vector256.Max(v.GetLower(), v.GetUpper()));

    /// <inheritdoc cref="MaxAcross(Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Vector256<float> v) => MaxAcross(Vector128.Max(v.GetLower(), v.GetUpper()));

    /// <inheritdoc cref="MaxAcross(Vector512{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Vector128<float> v) =>
        MathF.Max(MathF.Max(v.GetElement(0), v.GetElement(1)), MathF.Max(v.GetElement(2), v.GetElement(3)));
}
