using System.Linq;
using Attend.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>BAM, Triplet Attention and Selective Kernel attention: the emitted source pinned, compiled with no error or warning.</summary>
public sealed class ExternalAttentionSnapshotTests
{
    public static TheoryData<string, string> Declarations => new()
    {
        { "Bam_C32_R16_D2", "namespace Demo; [Attend.BottleneckAttention(Channels = 32, Reduction = 16, DilationValue = 2)] public partial class Bam;" },
        { "Triplet_C64_NoSpatial", "namespace Demo.Vision { public partial class Net { [Attend.TripletAttention(Channels = 64, NoSpatial = true)] internal sealed partial class Triplet; } }" },
        { "Sk_C64_K35_G4", "[Attend.SelectiveKernelAttention(Channels = 64, KernelSizes = new[] { 3, 5 }, Groups = 4, Reduction = 8, MinHiddenChannels = 4)] internal partial class Sk;" },
    };

    [Theory]
    [MemberData(nameof(Declarations))]
    public void Emitted_source_matches_snapshot(string name, string declaration)
    {
        (GeneratorRunResult result, _) = GeneratorHarness.Run(declaration);

        Assert.Empty(result.Diagnostics);
        Assert.Null(result.Exception);
        GeneratedSourceResult generated = Assert.Single(result.GeneratedSources);
        Snapshot.Match(name, generated.SourceText.ToString());
    }

    [Theory]
    [MemberData(nameof(Declarations))]
    public void Emitted_source_compiles_without_errors_or_warnings(string name, string declaration)
    {
        (_, Compilation output) = GeneratorHarness.Run(declaration);

        Assert.True(output.SyntaxTrees.Count() == 2, $"{name}: expected the declaration and one generated file.");
        Assert.Empty(GeneratorHarness.ProblemsIn(output));
    }

    [Theory]
    [MemberData(nameof(Declarations))]
    public void Emitted_doc_comments_are_well_formed(string name, string declaration)
    {
        var options = GeneratorHarness.ParseOptions.WithDocumentationMode(DocumentationMode.Diagnose);
        GeneratorHarness.CreateDriver(options).RunGeneratorsAndUpdateCompilation(GeneratorHarness.Compile(options, declaration), out Compilation output, out _);

        Assert.True(output.SyntaxTrees.Count() == 2, $"{name}: expected the declaration and one generated file.");
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Location.SourceTree != output.SyntaxTrees.First()).Select(d => d.ToString()));
    }

    [Fact]
    public void Default_kernel_sizes_are_the_modules()
    {
        (GeneratorRunResult result, _) = GeneratorHarness.Run("[Attend.SelectiveKernelAttention(Channels = 64)] public partial class Sk;");
        string source = Assert.Single(result.GeneratedSources).SourceText.ToString();
        Assert.Contains("KernelSizes => new int[] { 1, 3, 5, 7 };", source);
        Assert.Contains("public const int HiddenChannels = 32;", source); // max(L = 32, 64 / 16)
    }
}
