namespace Attend;

/// <summary>
/// The instruction-set path a generated layer runs. <see cref="Auto"/> picks the widest one the
/// processor accelerates; the others force a path, which is how tests exercise every kernel on
/// every machine (Vector512 runs emulated, slowly but correctly, without AVX-512).
/// </summary>
public enum KernelPath
{
    /// <summary>The widest accelerated path: Vector512, then Vector256, then Vector128, then scalar.</summary>
    Auto = 0,

    /// <summary>Plain scalar code; no vector instructions.</summary>
    Scalar = 1,

    /// <summary><see cref="System.Runtime.Intrinsics.Vector128{T}"/> kernels (SSE / NEON).</summary>
    Vector128 = 2,

    /// <summary><see cref="System.Runtime.Intrinsics.Vector256{T}"/> kernels (AVX2 + FMA).</summary>
    Vector256 = 3,

    /// <summary><see cref="System.Runtime.Intrinsics.Vector512{T}"/> kernels (AVX-512).</summary>
    Vector512 = 4,
}
