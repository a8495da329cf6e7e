namespace Attend.Generators.Planning;

/// <summary>Pure function from head sizes to register layouts; no Roslyn types, so it is tested directly.</summary>
internal static class HeadKernelPlanner
{
    /// <summary>
    /// Above this many query registers the row no longer fits beside the accumulators and loaded
    /// keys in 16 architectural registers (AVX2), so the kernel reloads it from L1 instead of spilling.
    /// </summary>
    public const int MaxQueryRegisters = 8;

    /// <summary>The vector paths, widest first: <c>KernelPath</c> member name and floats per register.</summary>
    public static readonly (string Path, int Width)[] VectorPaths = { ("Vector512", 16), ("Vector256", 8), ("Vector128", 4) };

    /// <summary>The whole struct of <paramref name="shape"/>: row kernels and tile kernels.</summary>
    public static HeadStructPlan PlanStruct(HeadShape shape) =>
        new(Plan(shape.DimHead, shape.ValueDimHead), TileKernelPlanner.Plan(shape.DimHead, shape.ValueDimHead));

    /// <summary>
    /// The widest width at which <paramref name="length"/> floats have the same layout as at <paramref name="width"/>:
    /// a row of 8 floats looks the same to Vector512 as to Vector256, so one method serves both paths.
    /// </summary>
    public static int EffectiveWidth(int length, int width)
    {
        while (width > 4 && length < width) width /= 2;
        return length < 4 ? 1 : width;
    }

    public static HeadKernelPlan Plan(int dimHead, int valueDimHead)
    {
        var paths = new List<VectorPathPlan>();
        foreach ((string path, int width) in VectorPaths)
        {
            EquatableArray<RowSegment> query = Segments(dimHead, width);
            int registers = 0;
            foreach (RowSegment segment in query) if (segment.Width > 1) registers++;
            paths.Add(new VectorPathPlan(path, width, query, Segments(valueDimHead, width), registers <= MaxQueryRegisters));
        }

        return new HeadKernelPlan(dimHead, valueDimHead, paths.ToEquatableArray());
    }

    /// <summary>
    /// Covers <paramref name="length"/> with registers of <paramref name="width"/> floats, then the
    /// remainder with narrower registers (down to 4 floats), then scalars: no masked loads, no tail loop.
    /// </summary>
    public static EquatableArray<RowSegment> Segments(int length, int width)
    {
        var segments = new List<RowSegment>();
        int offset = 0;
        for (int w = width; w >= 4; w /= 2)
        {
            while (length - offset >= w)
            {
                segments.Add(new RowSegment(offset, w));
                offset += w;
            }
        }

        for (; offset < length; offset++) segments.Add(new RowSegment(offset, 1));
        return segments.ToEquatableArray();
    }
}
