using System;
using System.Runtime.Intrinsics;

namespace Attend.Kernels;

/// <summary>Resolves <see cref="KernelPath.Auto"/> to the widest path this processor accelerates.</summary>
public static class KernelPaths
{
    /// <summary>The widest accelerated path here; the JIT folds the checks to a constant.</summary>
    public static KernelPath Best =>
        Vector512.IsHardwareAccelerated ? KernelPath.Vector512 :
        Vector256.IsHardwareAccelerated ? KernelPath.Vector256 :
        Vector128.IsHardwareAccelerated ? KernelPath.Vector128 :
        KernelPath.Scalar;

    /// <summary>Returns <paramref name="requested"/>, or <see cref="Best"/> for <see cref="KernelPath.Auto"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="requested"/> is not a defined path.</exception>
    public static KernelPath Resolve(KernelPath requested) => requested switch
    {
        KernelPath.Auto => Best,
        KernelPath.Scalar or KernelPath.Vector128 or KernelPath.Vector256 or KernelPath.Vector512 => requested,
        _ => throw new ArgumentOutOfRangeException(nameof(requested), requested, "Expected Auto, Scalar, Vector128, Vector256 or Vector512."),
    };

    /// <summary>Every explicit path, narrowest first: what tests iterate over.</summary>
    public static ReadOnlySpan<KernelPath> All => [KernelPath.Scalar, KernelPath.Vector128, KernelPath.Vector256, KernelPath.Vector512];
}
