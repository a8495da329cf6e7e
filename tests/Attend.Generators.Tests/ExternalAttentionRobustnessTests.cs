using System.Linq;
using Attend.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>
/// BAM, Triplet and SK declarations with edge values on every property: the generator never throws, and each declaration
/// either reports an error and emits nothing, or emits source that compiles with no error or warning.
/// </summary>
public sealed class ExternalAttentionRobustnessTests
{
    private static readonly string[] EdgeValues = { "0", "-1", "int.MinValue", "int.MaxValue", "1 << 20", "46341", "3" };

    public static TheoryData<string> Declarations()
    {
        var data = new TheoryData<string>();
        foreach (string value in EdgeValues)
        {
            foreach (string property in new[] { "Channels", "Reduction", "DilationValue", "Layers" })
            {
                data.Add(With("BottleneckAttention", "Channels = 32, Reduction = 16, DilationValue = 2, Layers = 3", property, value));
            }

            data.Add(With("TripletAttention", "Channels = 8", "Channels", value));
            foreach (string property in new[] { "Channels", "Reduction", "Groups", "MinHiddenChannels" })
            {
                data.Add(With("SelectiveKernelAttention", "Channels = 16, Reduction = 4, Groups = 2, MinHiddenChannels = 4", property, value));
            }

            data.Add($"[Attend.SelectiveKernelAttention(Channels = 16, KernelSizes = new[] {{ 3, {value} }})] public partial class Layer;");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Declarations))]
    public void Generator_reports_or_emits_compilable_source(string declaration)
    {
        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(declaration);

        Assert.Null(result.Exception);
        if (result.Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            Assert.Empty(result.GeneratedSources);
            return;
        }

        Assert.Single(GeneratorHarness.LayerSources(result));
        Assert.Empty(GeneratorHarness.ProblemsIn(output));
    }

    private static string With(string attribute, string valid, string property, string value)
    {
        string arguments = string.Join(", ", valid.Split(", ").Select(a => a.StartsWith(property + " =", System.StringComparison.Ordinal) ? $"{property} = {value}" : a));
        return $"[Attend.{attribute}({arguments})] public partial class Layer;";
    }
}
