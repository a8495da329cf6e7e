namespace Attend.Kernels;

/// <summary>
/// What one call of an integer projection kernel (<see cref="Int8Gemm"/> and those beside it) computes, in
/// the form their loops read: rows of <see cref="Input"/> × columns <c>[16 · FirstPanel, 16 · FirstPanel + Columns)</c>
/// of <see cref="Weight"/> into <see cref="Output"/> (pointers pinned by the caller).
/// </summary>
internal readonly unsafe struct CompactProjectionBlock(PackedProjection weight, float* input, nint inputStride, float* bias,
    int firstPanel, int columns, float* output, nint outputStride, KernelPath path, bool coldOutputs)
{
    public readonly PackedProjection Weight = weight;
    public readonly float* Input = input;
    public readonly nint InputStride = inputStride;
    public readonly float* Bias = bias;
    public readonly int FirstPanel = firstPanel;
    public readonly int Columns = columns;
    public readonly float* Output = output;
    public readonly nint OutputStride = outputStride;
    public readonly KernelPath Path = path;

    /// <summary>The outputs are likely out of cache (see <see cref="Int8Gemm.ColdOutputBytes"/>): prefetch each tile's lines.</summary>
    public readonly bool ColdOutputs = coldOutputs;
}
