using System.Linq;
using Attend.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>One test per diagnostic: the id, where it points, and that the message says what to fix.</summary>
public sealed partial class DiagnosticTests
{
    [Fact]
    public void ATTEND001_class_not_partial()
    {
        const string source = "[Attend.MultiHeadAttention(ModelDim = 8, Heads = 2)] public class Plain { }";
        Diagnostic d = Single(source, "ATTEND001");
        Assert.Contains("add the 'partial' modifier", d.GetMessage());
        Assert.Equal("Plain", SourceAt(source, d));
    }

    [Fact]
    public void ATTEND002_containing_type_not_partial()
    {
        const string source = "public class Outer { [Attend.ScaledDotProductAttention(Heads = 2, DimHead = 4)] public partial class Inner { } }";
        Diagnostic d = Single(source, "ATTEND002");
        Assert.Contains("'Outer'", d.GetMessage());
        Assert.Equal("Outer", SourceAt(source, d));
    }

    [Fact]
    public void ATTEND003_generic_class()
    {
        Diagnostic d = Single("[Attend.MultiHeadAttention(ModelDim = 8, Heads = 2)] public partial class Generic<T> { }", "ATTEND003");
        Assert.Contains("one non-generic class per shape", d.GetMessage());
    }

    [Theory]
    [InlineData("[Attend.MultiHeadAttention(ModelDim = 0, Heads = 2)]", "ModelDim is 0")]
    [InlineData("[Attend.MultiHeadAttention(ModelDim = 8, Heads = -1)]", "Heads is -1")]
    [InlineData("[Attend.MultiHeadAttention(ModelDim = 8)]", "Heads is 0")]
    [InlineData("[Attend.MultiHeadAttention(ModelDim = 8, Heads = 2, DimHead = 0)]", "DimHead is 0")]
    [InlineData("[Attend.MultiHeadAttention(ModelDim = 8, Heads = 2, KeyDim = -3)]", "KeyDim is -3")]
    [InlineData("[Attend.ScaledDotProductAttention(Heads = 2, DimHead = 4, KvHeads = 0)]", "KvHeads is 0")]
    [InlineData("[Attend.ScaledDotProductAttention(Heads = 2, DimHead = -4)]", "DimHead is -4")]
    [InlineData("[Attend.ScaledDotProductAttention(Heads = 2, DimHead = 4, ValueDimHead = int.MinValue)]", "ValueDimHead is -2147483648")]
    public void ATTEND004_size_not_positive(string attribute, string expected)
    {
        string source = attribute + " public partial class Layer;";
        Diagnostic d = Single(source, "ATTEND004");
        Assert.Contains(expected, d.GetMessage());
        Assert.Contains("positive integer", d.GetMessage());
        string property = expected.Split(' ')[0];
        // The squiggle is on the argument itself, or on the whole attribute when the property was left out.
        Assert.StartsWith(attribute.Contains(property + " =", System.StringComparison.Ordinal) ? property : "Attend.", SourceAt(source, d));
    }

    [Fact]
    public void ATTEND005_model_dim_not_divisible_by_heads()
    {
        Diagnostic d = Single("[Attend.MultiHeadAttention(ModelDim = 10, Heads = 3)] public partial class Layer;", "ATTEND005");
        Assert.Contains("ModelDim 10 is not a multiple of Heads 3", d.GetMessage());
        Assert.Contains("e.g. 9", d.GetMessage()); // the nearest multiple of 3
        Assert.Contains("set DimHead explicitly", d.GetMessage());
    }

    [Fact]
    public void ATTEND005_not_reported_when_dim_head_is_explicit()
    {
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run("[Attend.MultiHeadAttention(ModelDim = 10, Heads = 3, DimHead = 4)] public partial class Layer;");
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.ProblemsIn(output));
    }

    [Fact]
    public void ATTEND006_heads_not_multiple_of_kv_heads()
    {
        Diagnostic d = Single("[Attend.ScaledDotProductAttention(Heads = 9, KvHeads = 4, DimHead = 8)] public partial class Layer;", "ATTEND006");
        Assert.Contains("Heads 9 is not a multiple of KvHeads 4", d.GetMessage());
        Assert.Contains("e.g. 3", d.GetMessage());
    }

    [Fact]
    public void ATTEND007_unsupported_mask()
    {
        Diagnostic d = Single("[Attend.MultiHeadAttention(ModelDim = 8, Heads = 2, Mask = (Attend.AttentionMask)12)] public partial class Layer;", "ATTEND007");
        Assert.Contains("Mask value 12", d.GetMessage());
    }

    [Fact]
    public void ATTEND008_huge_head_is_a_warning_and_still_generates()
    {
        (GeneratorRunResult result, _) = GeneratorHarness.Run("[Attend.ScaledDotProductAttention(Heads = 1, DimHead = 520)] public partial class Layer;");
        Diagnostic d = Assert.Single(result.Diagnostics);
        Assert.Equal("ATTEND008", d.Id);
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Contains("DimHead 520", d.GetMessage());
        Assert.Single(GeneratorHarness.LayerSources(result));
    }

    [Theory]
    [InlineData("-1f")]
    [InlineData("float.NaN")]
    [InlineData("float.PositiveInfinity")]
    public void ATTEND009_invalid_scale(string scale)
    {
        Diagnostic d = Single($"[Attend.MultiHeadAttention(ModelDim = 8, Heads = 2, Scale = {scale})] public partial class Layer;", "ATTEND009");
        Assert.Contains("leave it at 0 for 1/sqrt(DimHead)", d.GetMessage());
    }

    [Fact]
    public void ATTEND011_two_layer_attributes_on_one_class()
    {
        (GeneratorRunResult result, _) = GeneratorHarness.Run(
            "[Attend.MultiHeadAttention(ModelDim = 8, Heads = 2)] [Attend.ScaledDotProductAttention(Heads = 2, DimHead = 4)] public partial class Layer;");
        Assert.Equal(2, result.Diagnostics.Count(d => d.Id == "ATTEND011"));
        Assert.Empty(result.GeneratedSources);
    }

    [Fact]
    public void ATTEND012_layer_too_large()
    {
        Diagnostic d = Single("[Attend.MultiHeadAttention(ModelDim = 65536, Heads = 1024, DimHead = 64)] public partial class Layer;", "ATTEND012");
        Assert.Contains("more than a .NET array holds", d.GetMessage());
    }

    [Theory]
    [InlineData("[Attend.ScaledDotProductAttention(Heads = 1, DimHead = 4097)]", "DimHead 4097", "DimHead")]
    [InlineData("[Attend.ScaledDotProductAttention(Heads = 1, DimHead = 8, ValueDimHead = int.MaxValue)]", "ValueDimHead 2147483647", "ValueDimHead")]
    [InlineData("[Attend.MultiHeadAttention(ModelDim = 8192, Heads = 1)]", "DimHead 8192", "ModelDim")]
    public void ATTEND050_head_too_wide_to_unroll(string attribute, string expected, string squiggled)
    {
        string source = attribute + " public partial class Layer;";
        Diagnostic d = Single(source, "ATTEND050");
        Assert.Contains(expected, d.GetMessage());
        Assert.Contains("exceeds 4096", d.GetMessage());
        Assert.StartsWith(squiggled, SourceAt(source, d));
    }

    [Fact]
    public void ATTEND050_boundary_4096_generates_with_the_ATTEND008_warning()
    {
        (GeneratorRunResult result, _) = GeneratorHarness.Run("[Attend.ScaledDotProductAttention(Heads = 1, DimHead = 4096)] public partial class Layer;");
        Assert.Equal("ATTEND008", Assert.Single(result.Diagnostics).Id);
        Assert.Single(GeneratorHarness.LayerSources(result));
    }

    [Theory]
    [InlineData(LanguageVersion.CSharp10, "C# 10.0")]
    [InlineData(LanguageVersion.CSharp7_3, "C# 7.3")]
    public void ATTEND051_language_version_below_11(LanguageVersion version, string named)
    {
        const string source = "namespace Demo { [Attend.MultiHeadAttention(ModelDim = 8, Heads = 2)] public partial class Layer { } }";
        CSharpParseOptions options = new(version);
        GeneratorDriver driver = GeneratorHarness.CreateDriver(options).RunGenerators(GeneratorHarness.Compile(options, source));
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        Diagnostic d = Assert.Single(result.Diagnostics, x => x.Id == "ATTEND051");
        Assert.Contains(named, d.GetMessage());
        Assert.Contains("set it to 11 or higher", d.GetMessage());
        Assert.Equal("Layer", SourceAt(source, d));
        Assert.Empty(result.GeneratedSources);
    }

    [Theory]
    [InlineData("public static partial class Layer { }", "static")]
    [InlineData("file partial class Layer { }", "file")]
    public void ATTEND052_static_or_file_local_layer(string declaration, string modifier)
    {
        string source = "[Attend.MultiHeadAttention(ModelDim = 8, Heads = 2)] " + declaration;
        Diagnostic d = Single(source, "ATTEND052");
        Assert.Contains($"remove the '{modifier}' modifier", d.GetMessage());
        Assert.Equal(modifier, SourceAt(source, d));
    }

    [Fact]
    public void Every_descriptor_has_a_test_and_a_help_link()
    {
        // Diagnostic tests may live in any test class of this assembly; each is named for its id.
        string[] tested = typeof(DiagnosticTests).Assembly.GetTypes().SelectMany(t => t.GetMethods())
            .Select(m => m.Name).Where(n => n.StartsWith("ATTEND", System.StringComparison.Ordinal))
            .Select(n => n.Substring(0, 9)).Distinct().ToArray();
        foreach (DiagnosticDescriptor descriptor in Attend.Generators.Diagnostics.Descriptors.All)
        {
            // ATTEND010 is the internal-error guard; GeneratorRobustnessTests covers it.
            if (descriptor.Id != "ATTEND010") Assert.Contains(descriptor.Id, tested);
            Assert.EndsWith("#" + descriptor.Id.ToLowerInvariant(), descriptor.HelpLinkUri);
        }
    }

    private static Diagnostic Single(string source, string id)
    {
        (GeneratorRunResult result, _) = GeneratorHarness.Run(source);
        Assert.Null(result.Exception);
        Diagnostic diagnostic = Assert.Single(result.Diagnostics, d => d.Id == id);
        Assert.Empty(result.GeneratedSources);
        return diagnostic;
    }

    // Diagnostics travel the pipeline as plain values, so their location carries a span but no tree.
    private static string SourceAt(string source, Diagnostic diagnostic) =>
        source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length);
}
