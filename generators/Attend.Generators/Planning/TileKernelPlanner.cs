namespace Attend.Generators.Planning;

/// <summary>One column block of the value tile: the output segments whose accumulators are live together.</summary>
internal sealed record ValueBlock(EquatableArray<RowSegment> Segments);

/// <summary>The register tiles of the flash-style kernels on one instruction set.</summary>
/// <param name="Path">The <c>KernelPath</c> member name: Scalar, Vector128, Vector256, Vector512.</param>
/// <param name="Width">Floats per register (1 for scalar).</param>
/// <param name="Registers">Architectural vector registers the plan budgets for.</param>
/// <param name="QueryRows">Query rows per tile (Mr).</param>
/// <param name="KeyRegisters">Registers across one packed key block; <see cref="KeyBlock"/> = Width · KeyRegisters keys.</param>
/// <param name="ValueBlocks">Column blocks of the value tile, each streaming the value rows once.</param>
internal sealed record TilePathPlan(string Path, int Width, int Registers, int QueryRows, int KeyRegisters, EquatableArray<ValueBlock> ValueBlocks)
{
    /// <summary>Keys per packed block (Nr).</summary>
    public int KeyBlock => Width * KeyRegisters;

    /// <summary>Accumulators the score tile keeps live: QueryRows × KeyRegisters.</summary>
    public int ScoreAccumulators => QueryRows * KeyRegisters;

    /// <summary>Segments per value-tile column block: what leaves room for one value segment and the broadcast.</summary>
    public int SegmentsPerBlock => (Registers - 4) / QueryRows;

    /// <summary>The value blocks grouped into runs (<see cref="TileKernelPlanner.Runs"/>): which the runtime covers, which the emitter writes.</summary>
    public EquatableArray<ValueRun> Runs { get; init; }
}

/// <summary>
/// Consecutive value-tile column blocks computed the same way: either all of whole registers, <see cref="TilePathPlan.SegmentsPerBlock"/>
/// each, which the runtime's shared kernel covers for any shape (<see cref="Shared"/>), or the one block with narrower
/// segments or scalars, whose text the emitter writes.
/// </summary>
/// <param name="FirstColumn">First output column of the run.</param>
/// <param name="EndColumn">One past its last column.</param>
internal sealed record ValueRun(bool Shared, int FirstColumn, int EndColumn, EquatableArray<ValueBlock> Blocks);

/// <summary>The flash-style tile kernels of one head shape, per instruction set, scalar first.</summary>
internal sealed record TileKernelPlan(int DimHead, int ValueDimHead, EquatableArray<TilePathPlan> Paths);

/// <summary>
/// Chooses the register tiles of the tiled attention kernels. Pure; tested without Roslyn.
/// </summary>
/// <remarks>
/// <para>
/// Score tile Mr × Nr: Mr query rows (broadcast one element at a time) times Nr packed keys (KeyRegisters
/// registers) give Mr · KeyRegisters independent FMA chains; 6 × 2 = 12 chains cover the FMA latency (4 cycles)
/// on two pipes with room to spare, and 12 accumulators + 2 key registers + 1 broadcast fit the 16 registers
/// of AVX2 and SSE. AVX-512 has 32, so its value tile can be 4 registers wide.
/// </para>
/// <para>
/// Value tile Mr × Dv: per key, Mr broadcast weights times the value row. The row is split into column
/// blocks of at most <c>(Registers − 4) / Mr</c> segments so the accumulators, one value segment and the
/// broadcast stay in registers (6 × 4 = 24 on AVX-512, 6 × 2 = 12 on AVX2/SSE); each block streams the
/// value rows once more from L1.
/// </para>
/// </remarks>
internal static class TileKernelPlanner
{
    /// <summary>Query rows per tile on the vector paths.</summary>
    public const int VectorQueryRows = 6;

    /// <summary>Query rows and keys per block on the scalar path: small, it is the reference, not a fast path.</summary>
    public const int ScalarTile = 4;

    private static readonly (string Path, int Width, int Registers)[] s_paths =
    {
        ("Vector512", 16, 32),
        ("Vector256", 8, 16),
        ("Vector128", 4, 16),
    };

    public static TileKernelPlan Plan(int dimHead, int valueDimHead)
    {
        var paths = new List<TilePathPlan>
        {
            WithRuns(new("Scalar", 1, 0, ScalarTile, ScalarTile, new[] { new ValueBlock(HeadKernelPlanner.Segments(valueDimHead, 1)) }.ToEquatableArray())),
        };
        foreach ((string path, int width, int registers) in s_paths)
        {
            int perBlock = (registers - 4) / VectorQueryRows;
            paths.Add(WithRuns(new TilePathPlan(path, width, registers, VectorQueryRows, 2,
                SplitIntoBlocks(HeadKernelPlanner.Segments(valueDimHead, width), perBlock))));
        }

        return new TileKernelPlan(dimHead, valueDimHead, paths.ToEquatableArray());
    }

    private static TilePathPlan WithRuns(TilePathPlan path) => path with { Runs = Runs(path) };

    /// <summary>
    /// Groups <paramref name="path"/>'s column blocks into runs: blocks of exactly <see cref="TilePathPlan.SegmentsPerBlock"/>
    /// full-width registers are the same code at another column, so they run in the shared runtime kernel; others are emitted.
    /// </summary>
    public static EquatableArray<ValueRun> Runs(TilePathPlan path)
    {
        var runs = new List<ValueRun>();
        foreach (ValueBlock block in path.ValueBlocks)
        {
            bool shared = block.Segments.Count == path.SegmentsPerBlock && block.Segments.All(s => s.Width == path.Width);
            int first = block.Segments[0].Offset;
            RowSegment last = block.Segments[block.Segments.Count - 1];
            int end = last.Offset + last.Width;
            if (runs.Count > 0 && shared && runs[runs.Count - 1].Shared)
            {
                ValueRun previous = runs[runs.Count - 1];
                runs[runs.Count - 1] = previous with { EndColumn = end, Blocks = previous.Blocks.Append(block).ToEquatableArray() };
            }
            else
            {
                runs.Add(new ValueRun(shared, first, end, new[] { block }.ToEquatableArray()));
            }
        }

        return runs.ToEquatableArray();
    }

    /// <summary>Consecutive runs of at most <paramref name="perBlock"/> segments (scalars count as one each).</summary>
    public static EquatableArray<ValueBlock> SplitIntoBlocks(EquatableArray<RowSegment> segments, int perBlock)
    {
        var blocks = new List<ValueBlock>();
        var current = new List<RowSegment>();
        foreach (RowSegment segment in segments)
        {
            if (current.Count == perBlock)
            {
                blocks.Add(new ValueBlock(current.ToEquatableArray()));
                current = new List<RowSegment>();
            }

            current.Add(segment);
        }

        if (current.Count > 0) blocks.Add(new ValueBlock(current.ToEquatableArray()));
        return blocks.ToEquatableArray();
    }
}
