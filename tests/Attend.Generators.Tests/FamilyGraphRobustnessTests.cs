using Attend.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>The graph, memory and pooling pipelines never throw, and whatever they emit compiles.</summary>
public sealed class FamilyGraphRobustnessTests
{
    [Theory]
    [InlineData("[Attend.GraphAttention] public partial class Empty;")]
    [InlineData("[Attend.GraphAttention(InFeatures = int.MaxValue, OutFeatures = int.MaxValue, Heads = int.MaxValue)] public partial class Huge;")]
    [InlineData("[Attend.GraphAttention(InFeatures = 1, OutFeatures = 1073741823, Heads = 1)] public partial class WideAttention;")]
    [InlineData("[Attend.GraphAttention(InFeatures = \"five\", OutFeatures = 3)] public partial class WrongType;")]
    [InlineData("[Attend.MemoryHeads] public partial class Empty;")]
    [InlineData("[Attend.MemoryHeads(MemoryRows = int.MaxValue, MemoryWidth = int.MaxValue, ShiftRadius = int.MaxValue)] public partial class Huge;")]
    [InlineData("[Attend.MemoryHeads(MemoryRows = 1, MemoryWidth = 1)] public partial struct Tiny;")]
    [InlineData("[Attend.NadarayaWatson(Dim = int.MaxValue, ValueDim = int.MinValue)] public partial class Odd;")]
    [InlineData("[Attend.AttentionPooling] public partial class Empty;")]
    [InlineData("[Attend.AttentionPooling(Features = int.MaxValue, HiddenDim = int.MaxValue)] public partial class Huge;")]
    [InlineData("[Attend.AttentionPooling(Features = 4, HiddenDim = 2)] [Attend.GraphAttention(InFeatures = 4, OutFeatures = 2)] public partial class Both;")]
    public void Odd_declarations_produce_no_generator_exception(string source)
    {
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(source);

        Assert.Null(result.Exception);
        Assert.DoesNotContain(result.Diagnostics, d => d.Id == "CS8785" || d.Id == "ATTEND010");
        if (result.GeneratedSources.Length > 0)
        {
            // Emitted only when the declaration is valid, and then it must compile (wide rows may warn, ATTEND008).
            Assert.DoesNotContain(output.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
        }
    }

    [Fact]
    public void Smallest_shapes_compile_without_warnings()
    {
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(
            "namespace Demo; [Attend.GraphAttention(InFeatures = 1, OutFeatures = 1)] public partial class G; " +
            "[Attend.MemoryHeads(MemoryRows = 1, MemoryWidth = 1, ShiftRadius = 0)] public partial class M; " +
            "[Attend.AttentionPooling(Features = 1, HiddenDim = 1, Bias = false)] public partial class P; " +
            "[Attend.AttentionPooling(Features = 1, Score = Attend.PoolingScore.LearnedQuery)] public partial class Q;");

        Assert.Empty(result.Diagnostics);
        Assert.Equal(4, GeneratorHarness.LayerSources(result).Count);
        Assert.Empty(GeneratorHarness.ProblemsIn(output));
    }
}
