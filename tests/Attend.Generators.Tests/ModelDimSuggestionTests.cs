using Attend.Generators.Planning;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>The ModelDim that ATTEND005 suggests and its code fix applies: the nearest positive multiple of Heads.</summary>
public sealed class ModelDimSuggestionTests
{
    [Theory]
    [InlineData(513, 8, 512)]   // 1 below beats 7 above
    [InlineData(519, 8, 520)]   // 1 above beats 7 below
    [InlineData(516, 8, 520)]   // a tie takes the larger
    [InlineData(15, 4, 16)]
    [InlineData(5, 8, 8)]       // below would be 0, not a size
    [InlineData(1, 3, 3)]
    [InlineData(768, 12, 768)]  // already a multiple: unchanged
    public void Suggests_the_nearest_positive_multiple(int modelDim, int heads, int expected)
    {
        Assert.Equal(expected, ModelDimSuggestion.Nearest(modelDim, heads));
    }

    [Fact]
    public void Never_suggests_a_multiple_that_overflows_int()
    {
        // int.MaxValue = 2147483647; the multiple of 10 above it does not fit, so the one below is taken even though farther.
        Assert.Equal(2147483640, ModelDimSuggestion.Nearest(int.MaxValue, 10));
        Assert.Equal(2147483646, ModelDimSuggestion.Nearest(int.MaxValue, 2));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-4)]
    public void Leaves_ModelDim_alone_when_Heads_is_not_positive(int heads)
    {
        // A non-positive Heads has its own diagnostic; there is no multiple to suggest.
        Assert.Equal(513, ModelDimSuggestion.Nearest(513, heads));
    }
}
