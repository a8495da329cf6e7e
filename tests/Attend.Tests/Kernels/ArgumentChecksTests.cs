using System;
using Attend.Kernels;
using Xunit;

namespace Attend.Tests.Kernels;

/// <summary>Every generated Forward checks its spans with <see cref="ArgumentChecks.Length(int, long, string, ref ArgumentChecks.LengthFormulaHandler)"/>.</summary>
public sealed class ArgumentChecksTests
{
    [Fact]
    public void PassingLengthCheck_FormatsNothingAndAllocatesNothing()
    {
        int batch = 3, rows = 7;
        for (int i = 0; i < 4; i++) ArgumentChecks.Length(batch * rows, (long)batch * rows, "input", $"batch × rows = {batch} × {rows}");

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) ArgumentChecks.Length(batch * rows, (long)batch * rows, "input", $"batch × rows = {batch} × {rows}");

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void FailingLengthCheck_NamesTheArgumentTheFormulaAndBothSizes()
    {
        int batch = 3, rows = 7;

        var error = Assert.Throws<ArgumentException>(() => ArgumentChecks.Length(20, (long)batch * rows, "input", $"batch × rows = {batch} × {rows}"));

        Assert.Equal("input", error.ParamName);
        Assert.StartsWith("input must hold batch × rows = 3 × 7 = 21 elements; it holds 20.", error.Message);
    }
}
