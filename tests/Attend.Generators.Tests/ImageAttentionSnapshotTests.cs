using System.Linq;
using Attend.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>
/// DANet position/channel attention (both variants) and convolutional self-attention: the emitted source pinned, and
/// each compiled with no error or warning, documentation included.
/// </summary>
public sealed class ImageAttentionSnapshotTests
{
    public static TheoryData<string, string> Declarations => new()
    {
        // Collection head: 3×3 cnn, one head of width 64 (Vector512 4 registers), packed fc_q/k/v and fc_o.
        { "DanetPosition_C64", "namespace Demo; [Attend.DanetPositionAttention(Channels = 64)] public partial class Pam;" },
        // The authors' PAM: queries and keys of C / 8 = 8 floats, values of 64, gamma residual.
        { "DanetPosition_Official_C64", "namespace Demo; [Attend.DanetPositionAttention(Channels = 64, Variant = Attend.DanetVariant.Official)] public partial class PamOfficial;" },
        { "DanetChannel_C64_H7_W7", "namespace Demo; [Attend.DanetChannelAttention(Channels = 64, Height = 7, Width = 7)] public partial class Cam;" },
        { "DanetChannel_Official_C16", "namespace Demo.Seg { public partial class Head { [Attend.DanetChannelAttention(Channels = 16, Variant = Attend.DanetVariant.Official)] internal sealed partial class CamOfficial; } }" },
        { "ConvolutionalSelfAttention_K3", "namespace Demo; [Attend.ConvolutionalSelfAttention(InChannels = 16, OutChannels = 24, KernelSize = 3)] public partial class AttnConv;" },
        { "ConvolutionalSelfAttention_K5_D3", "[Attend.ConvolutionalSelfAttention(InChannels = 4, OutChannels = 6, KernelSize = 5, HeadDim = 3)] internal partial class NarrowAttnConv;" },
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
        // With the documentation file on, malformed XML in a generated doc comment would be a warning in the user's build.
        var options = GeneratorHarness.ParseOptions.WithDocumentationMode(DocumentationMode.Diagnose);
        GeneratorHarness.CreateDriver(options).RunGeneratorsAndUpdateCompilation(GeneratorHarness.Compile(options, declaration), out Compilation output, out _);

        Assert.True(output.SyntaxTrees.Count() == 2, $"{name}: expected the declaration and one generated file.");
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Location.SourceTree != output.SyntaxTrees.First()).Select(d => d.ToString()));
    }
}
