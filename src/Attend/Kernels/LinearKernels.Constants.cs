namespace Attend.Kernels;

public static partial class LinearKernels
{
    /// <summary>
    /// A count known to the JIT (rows or panels of a tile): micro-kernels are generic over it, so each
    /// instantiation keeps exactly that many accumulators in registers and the branches for the others
    /// fold away. (Also <see cref="Int8Gemm"/>'s tile rows.)
    /// </summary>
    internal interface IConstant
    {
        static abstract int Value { get; }
    }

    internal readonly struct Const1 : IConstant { public static int Value => 1; }

    internal readonly struct Const2 : IConstant { public static int Value => 2; }

    internal readonly struct Const3 : IConstant { public static int Value => 3; }

    internal readonly struct Const4 : IConstant { public static int Value => 4; }

    internal readonly struct Const5 : IConstant { public static int Value => 5; }

    internal readonly struct Const6 : IConstant { public static int Value => 6; }

    internal readonly struct Const7 : IConstant { public static int Value => 7; }

    internal readonly struct Const8 : IConstant { public static int Value => 8; }
}
