using System.Linq;
using Attend.Generators.Planning;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>The planner is a pure function; its register layouts are checked without Roslyn.</summary>
public sealed class PlannerTests
{
    [Theory]
    [InlineData(64, 8, "8,8,8,8,8,8,8,8")]
    [InlineData(17, 8, "8,8,1")]
    [InlineData(5, 16, "4,1")]
    [InlineData(80, 16, "16,16,16,16,16")]
    [InlineData(3, 4, "1,1,1")]
    [InlineData(30, 16, "16,8,4,1,1")]
    public void Segments_cover_the_row_widest_first_without_gaps(int length, int width, string expected)
    {
        var segments = HeadKernelPlanner.Segments(length, width);

        Assert.Equal(expected, string.Join(",", segments.Select(s => s.Width)));
        int offset = 0;
        foreach (RowSegment segment in segments)
        {
            Assert.Equal(offset, segment.Offset);
            offset += segment.Width;
        }

        Assert.Equal(length, offset);
    }

    [Theory]
    [InlineData(64, "Vector256", true)]
    [InlineData(128, "Vector256", false)]
    [InlineData(128, "Vector512", true)]
    [InlineData(160, "Vector512", false)]
    public void Query_stays_in_registers_only_when_it_fits(int dimHead, string path, bool inRegisters)
    {
        HeadKernelPlan plan = HeadKernelPlanner.Plan(dimHead, dimHead);
        Assert.Equal(inRegisters, plan.VectorPaths.Single(p => p.Path == path).QueryInRegisters);
    }
}
