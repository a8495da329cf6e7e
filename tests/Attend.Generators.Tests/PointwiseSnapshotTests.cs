using System.Linq;
using Attend.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>
/// SimAM, Shuffle Attention, Coordinate Attention, Polarized Self-Attention, External Attention and MobileViTv2 attention:
/// the emitted source for small declarations, pinned, and each compiled with no error or warning.
/// </summary>
public sealed class PointwiseSnapshotTests
{
    public static TheoryData<string, string> Declarations => new()
    {
        { "SimAm_C8_Lambda0p1", "namespace Demo; [Attend.SimAm(Channels = 8, Lambda = 0.1f)] public partial class Simam;" },
        { "Shuffle_C32_G4", "namespace Demo; [Attend.ShuffleAttention(Channels = 32, Groups = 4)] public partial class Shuffle;" },
        { "CoordAtt_C40_R4", "namespace Demo; [Attend.CoordinateAttention(Channels = 40, Reduction = 4)] public partial class CoordAtt;" },
        { "Psa_C16_Parallel", "namespace Demo; [Attend.PolarizedSelfAttention(Channels = 16)] public partial class ParallelPsa;" },
        { "Psa_C16_Sequential", "namespace Demo.Vision { public partial class Net { [Attend.PolarizedSelfAttention(Channels = 16, Layout = Attend.PolarizedLayout.Sequential)] internal sealed partial class SequentialPsa; } }" },
        { "ExternalAttention_D15_S8", "namespace Demo; [Attend.ExternalAttention(ModelDim = 15, MemoryUnits = 8)] public partial class External;" },
        { "Separable_D15_Relu", "namespace Demo; [Attend.SeparableSelfAttention(ModelDim = 15, ValueRelu = true)] public partial class MobileVit;" },
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
}
