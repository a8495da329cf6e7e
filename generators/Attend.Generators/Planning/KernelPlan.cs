namespace Attend.Generators.Planning;

/// <summary>One piece of a head row: <see cref="Width"/> floats from <see cref="Offset"/>, in one register (width 1: a scalar).</summary>
internal sealed record RowSegment(int Offset, int Width);

/// <summary>How one instruction set covers a head row of fixed length.</summary>
/// <param name="Path">The <c>KernelPath</c> member name: Vector512, Vector256, Vector128.</param>
/// <param name="Width">Floats per register on this path.</param>
/// <param name="Query">Segments covering DimHead: full registers first, then narrower ones, then scalars.</param>
/// <param name="Value">Segments covering ValueDimHead.</param>
/// <param name="QueryInRegisters">Whether the query row is loaded once and kept in registers across keys.</param>
internal sealed record VectorPathPlan(string Path, int Width, EquatableArray<RowSegment> Query, EquatableArray<RowSegment> Value, bool QueryInRegisters);

/// <summary>Everything the head-kernel emitter needs: sizes and, per vector path, the register layout.</summary>
internal sealed record HeadKernelPlan(int DimHead, int ValueDimHead, EquatableArray<VectorPathPlan> VectorPaths)
{
    /// <summary>The head shape these kernels serve: the struct the layer names.</summary>
    public HeadShape Shape => new(DimHead, ValueDimHead);
}

/// <summary>
/// The sizes that change a head kernel struct's text: every layer whose heads have this shape shares one struct, so the
/// pipeline collects these (value-equal, no compilation objects) and emits one file per distinct shape.
/// </summary>
internal sealed record HeadShape(int DimHead, int ValueDimHead);

/// <summary>One head shape's kernel struct, planned: the row kernels' register layout and the tile kernels' blocking.</summary>
internal sealed record HeadStructPlan(HeadKernelPlan Rows, TileKernelPlan Tiles)
{
    public HeadShape Shape => Rows.Shape;
}
