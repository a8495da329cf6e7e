using System.Linq;
using Attend.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>The generator never throws, whatever the declaration looks like.</summary>
public sealed class GeneratorRobustnessTests
{
    [Theory]
    [InlineData("[Attend.MultiHeadAttention] public partial class Empty;")]
    [InlineData("[Attend.MultiHeadAttention(ModelDim = int.MaxValue, Heads = 1)] public partial class Huge;")]
    [InlineData("[Attend.MultiHeadAttention(ModelDim = int.MaxValue, Heads = int.MaxValue)] public partial class Huge;")]
    [InlineData("[Attend.MultiHeadAttention(ModelDim = , Heads = 2)] public partial class Broken;")]
    [InlineData("[Attend.MultiHeadAttention(ModelDim = \"eight\", Heads = 2)] public partial class WrongType;")]
    [InlineData("[Attend.MultiHeadAttention(ModelDim = 8, Heads = 2)] public partial record RecordLayer;")]
    [InlineData("[Attend.MultiHeadAttention(ModelDim = 8, Heads = 2)] public partial struct StructLayer;")]
    [InlineData("[Attend.ScaledDotProductAttention(Heads = 2, DimHead = 4)] public static partial class StaticLayer;")]
    [InlineData("[Attend.ScaledDotProductAttention(Heads = 2, DimHead = 4)] file partial class FileLayer;")]
    [InlineData("public partial class Outer<T> { [Attend.ScaledDotProductAttention(Heads = 2, DimHead = 4)] public partial class Inner; }")]
    [InlineData("[Attend.ScaledDotProductAttention(Heads = 2, DimHead = 4)] public partial class")]
    public void Odd_declarations_produce_no_generator_exception(string source)
    {
        (GeneratorRunResult result, _) = GeneratorHarness.Run(source);

        Assert.Null(result.Exception);
        Assert.DoesNotContain(result.Diagnostics, d => d.Id == "CS8785" || d.Id == "ATTEND010");
    }

    [Fact]
    public void Partial_class_split_across_files_generates_once()
    {
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(
            "namespace Demo; [Attend.MultiHeadAttention(ModelDim = 8, Heads = 2)] public partial class Split;",
            "namespace Demo; public partial class Split { public int Extra => ModelDim; }");

        Assert.Single(GeneratorHarness.LayerSources(result));
        Assert.Empty(GeneratorHarness.ProblemsIn(output));
    }

    [Fact]
    public void Nested_layers_in_partial_containers_compile()
    {
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(
            "namespace Demo { public partial class Model { internal partial record Blocks { [Attend.ScaledDotProductAttention(Heads = 2, DimHead = 4)] private partial class Core; } } }");

        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.ProblemsIn(output));
    }

    [Fact]
    public void Generated_code_compiles_in_a_nullable_disabled_file()
    {
        (_, Compilation output) = GeneratorHarness.Run("#nullable disable\nnamespace Demo; [Attend.MultiHeadAttention(ModelDim = 8, Heads = 2)] public partial class Layer { public string Name; }");
        Assert.DoesNotContain(GeneratorHarness.ProblemsIn(output), p => !p.Contains("CS8618", System.StringComparison.Ordinal));
    }
}
