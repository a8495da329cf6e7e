using System.Linq;
using Attend.Generators.Model;
using Attend.Generators.Planning;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>The register tiles of the flash-style kernels, checked without Roslyn: what fits which register file.</summary>
public sealed class TileKernelPlannerTests
{
    [Fact]
    public void Plans_scalar_first_then_every_vector_path_widest_first()
    {
        TileKernelPlan plan = TileKernelPlanner.Plan(64, 64);

        Assert.Equal(new[] { "Scalar", "Vector512", "Vector256", "Vector128" }, plan.Paths.Select(p => p.Path));
        Assert.Equal(new[] { 1, 16, 8, 4 }, plan.Paths.Select(p => p.Width));
        Assert.Equal((64, 64), (plan.DimHead, plan.ValueDimHead));
    }

    [Fact]
    public void Scalar_path_is_a_small_square_tile_over_one_block()
    {
        TilePathPlan scalar = TileKernelPlanner.Plan(8, 10).Paths[0];

        Assert.Equal(TileKernelPlanner.ScalarTile, scalar.QueryRows);
        Assert.Equal(TileKernelPlanner.ScalarTile, scalar.KeyBlock);
        ValueBlock block = Assert.Single(scalar.ValueBlocks);
        Assert.Equal(10, block.Segments.Count);
    }

    [Theory]
    [InlineData("Vector512", 32, 32)]
    [InlineData("Vector256", 16, 16)]
    [InlineData("Vector128", 16, 8)]
    public void Score_tile_is_six_rows_by_two_key_registers_and_fits_the_register_file(string path, int registers, int keyBlock)
    {
        TilePathPlan tile = TileKernelPlanner.Plan(64, 64).Paths.Single(p => p.Path == path);

        Assert.Equal(registers, tile.Registers);
        Assert.Equal(TileKernelPlanner.VectorQueryRows, tile.QueryRows);
        Assert.Equal(keyBlock, tile.KeyBlock);
        Assert.Equal(12, tile.ScoreAccumulators);
        Assert.True(tile.ScoreAccumulators + 2 + 1 <= tile.Registers, "accumulators + key registers + broadcast must fit");
    }

    [Theory]
    // (registers - 4) / 6 segments a block: 4 on AVX-512 (32 registers), 2 on AVX2 and SSE (16).
    [InlineData(64, "Vector512", "16,16,16,16")]
    [InlineData(80, "Vector512", "16,16,16,16|16")]
    [InlineData(64, "Vector256", "8,8|8,8|8,8|8,8")]
    [InlineData(17, "Vector256", "8,8|1")]
    [InlineData(10, "Vector128", "4,4|1,1")]
    public void Value_tile_splits_the_row_into_blocks_whose_accumulators_fit(int valueDimHead, string path, string expected)
    {
        TilePathPlan tile = TileKernelPlanner.Plan(64, valueDimHead).Paths.Single(p => p.Path == path);

        Assert.Equal(expected, string.Join("|", tile.ValueBlocks.Select(b => string.Join(",", b.Segments.Select(s => s.Width)))));
        Assert.All(tile.ValueBlocks, block => Assert.True(block.Segments.Count * tile.QueryRows + 4 <= tile.Registers));
        Assert.Equal(valueDimHead, tile.ValueBlocks.Sum(b => b.Segments.Sum(s => s.Width)));
    }

    [Fact]
    public void SplitIntoBlocks_keeps_order_and_offsets()
    {
        EquatableArray<RowSegment> segments = HeadKernelPlanner.Segments(22, 4); // 5 registers and 2 scalars

        EquatableArray<ValueBlock> blocks = TileKernelPlanner.SplitIntoBlocks(segments, 2);

        Assert.Equal(new[] { 2, 2, 2, 1 }, blocks.Select(b => b.Segments.Count));
        Assert.Equal(segments.Select(s => s.Offset), blocks.SelectMany(b => b.Segments).Select(s => s.Offset));
    }

    [Fact]
    public void Plans_of_equal_shapes_are_equal_so_the_pipeline_caches_them()
    {
        Assert.Equal(TileKernelPlanner.Plan(17, 10), TileKernelPlanner.Plan(17, 10));
        Assert.NotEqual(TileKernelPlanner.Plan(17, 10), TileKernelPlanner.Plan(17, 11));
    }
}
