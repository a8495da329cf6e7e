using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using Attend.Generators.Tests.Infrastructure;
using Attend.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using Xunit.Abstractions;

namespace Attend.Generators.Tests;

/// <summary>
/// A project with 100 layer declarations, one per file: the generator's own time from
/// <see cref="GeneratorDriverTimingInfo"/> (reported, never asserted), and what an edit re-emits: nothing for an
/// unrelated file, exactly one file for a changed declaration.
/// </summary>
public sealed class CompileCostTests(ITestOutputHelper output)
{
    private const int Layers = 100;

    [Fact]
    public void Hundred_layers_time_per_layer_and_incremental_reemission()
    {
        List<(string Path, string Source)> files = Declarations().ToList();
        files.Add(("Other.cs", "namespace App; public static class Other { public static int Value => 1; }"));
        CSharpCompilation compilation = GeneratorHarness.CompileFiles(GeneratorHarness.ParseOptions, files);

        // First run: what a cold build pays (the generator's code is JIT-compiled on the way).
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        TimeSpan cold = driver.GetTimingInfo().ElapsedTime;
        GeneratorRunResult first = driver.GetRunResult().Results.Single();
        Assert.Equal(Layers, GeneratorHarness.LayerSources(first).Count);
        Assert.Empty(first.Diagnostics);

        // A fresh driver over the same compilation: a full generation with warm code, as in a long-lived IDE or build server.
        TimeSpan warm = GeneratorHarness.CreateDriver().RunGenerators(compilation).GetTimingInfo().ElapsedTime;

        // An edit to a file with no layer: every step cached, nothing re-emitted.
        SyntaxTree other = compilation.SyntaxTrees.Single(t => t.FilePath == "Other.cs");
        CSharpCompilation unrelatedEdit = compilation.ReplaceSyntaxTree(other, CSharpSyntaxTree.ParseText(
            "namespace App; public static class Other { public static int Value => 2; } // edited", GeneratorHarness.ParseOptions, path: "Other.cs"));
        driver = driver.RunGenerators(unrelatedEdit);
        TimeSpan unrelated = driver.GetTimingInfo().ElapsedTime;
        GeneratorRunResult afterUnrelated = driver.GetRunResult().Results.Single();
        Dictionary<IncrementalStepRunReason, int> unrelatedOutputs = OutputReasons(afterUnrelated);
        Assert.True(unrelatedOutputs.Keys.All(r => r == IncrementalStepRunReason.Cached), Describe(unrelatedOutputs));
        Assert.Equal(Layers, unrelatedOutputs[IncrementalStepRunReason.Cached]);
        foreach (string name in TrackingNames.All)
        {
            if (!afterUnrelated.TrackedSteps.TryGetValue(name, out var runs)) continue;
            Assert.All(runs.SelectMany(r => r.Outputs), o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{name}: {o.Reason}"));
        }

        // One declaration changed (its Heads): exactly one file re-emitted, and it is that layer's.
        SyntaxTree changedTree = unrelatedEdit.SyntaxTrees.Single(t => t.FilePath == "Layer37.cs");
        string changedSource = changedTree.ToString().Replace("Heads = 8", "Heads = 16", StringComparison.Ordinal);
        Assert.NotEqual(changedTree.ToString(), changedSource);
        CSharpCompilation oneChanged = unrelatedEdit.ReplaceSyntaxTree(changedTree, CSharpSyntaxTree.ParseText(changedSource, GeneratorHarness.ParseOptions, path: "Layer37.cs"));
        driver = driver.RunGenerators(oneChanged);
        TimeSpan oneLayer = driver.GetTimingInfo().ElapsedTime;
        GeneratorRunResult afterChange = driver.GetRunResult().Results.Single();
        Dictionary<IncrementalStepRunReason, int> changedOutputs = OutputReasons(afterChange);
        Assert.Equal(1, changedOutputs.GetValueOrDefault(IncrementalStepRunReason.Modified));
        Assert.Equal(Layers - 1, changedOutputs.GetValueOrDefault(IncrementalStepRunReason.Cached));
        Assert.Contains("Heads = 16", afterChange.GeneratedSources.Single(s => s.HintName.EndsWith(".Layer37.g.cs", StringComparison.Ordinal)).SourceText.ToString());

        long lines = first.GeneratedSources.Sum(s => (long)s.SourceText.Lines.Count);
        CiReport.Line(output, $"Compile-time cost, {Layers} layers ({Layers / 2} MultiHeadAttention + {Layers / 2} ScaledDotProductAttention, {lines} generated lines): " +
                              $"generator {Ms(cold)} ms cold = {Ms(cold / Layers)} ms per layer; {Ms(warm)} ms warm = {Ms(warm / Layers)} ms per layer; " +
                              $"unrelated edit {Ms(unrelated)} ms, 0 files re-emitted; one declaration changed {Ms(oneLayer)} ms, 1 file re-emitted.");

        if (Environment.GetEnvironmentVariable("ATTEND_MEASURE_COMPILE") == "1")
        {
            // Optional (slow): what the C# compiler then spends binding the generated code.
            GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation withGenerated, out _);
            var clock = Stopwatch.StartNew();
            Assert.Empty(GeneratorHarness.ProblemsIn(withGenerated));
            output.WriteLine($"  binding the generated code: {clock.Elapsed.TotalSeconds:F1} s ({Ms(clock.Elapsed / Layers)} ms per layer)");
        }
    }

    /// <summary>Realistic shapes: model widths 128..1024 with 64- or 128-wide heads, a quarter causal, SDPA with GQA.</summary>
    private static IEnumerable<(string Path, string Source)> Declarations()
    {
        int[] widths = { 128, 256, 384, 512, 768, 1024 };
        for (int i = 0; i < Layers; i++)
        {
            string attribute = i % 2 == 0
                ? $"[MultiHeadAttention(ModelDim = {widths[i / 2 % widths.Length]}, Heads = {(i % 4 == 0 ? 8 : 4)}{(i % 8 == 0 ? ", Mask = AttentionMask.Causal" : "")})]"
                : $"[ScaledDotProductAttention(Heads = 8, KvHeads = {(i % 3 == 0 ? 2 : 8)}, DimHead = {(i % 5 == 0 ? 128 : 64)})]";
            yield return ($"Layer{i}.cs", $"using Attend;\nnamespace App.Model;\n\n{attribute}\npublic partial class Layer{i.ToString(CultureInfo.InvariantCulture)};\n");
        }
    }

    /// <summary>
    /// Reasons of the layer source outputs, fed by a *Specs step or, for the kinds planned apart, a *Plan step (not the
    /// diagnostics outputs, nor the shared head kernel files): what was (re-)emitted.
    /// </summary>
    private static Dictionary<IncrementalStepRunReason, int> OutputReasons(GeneratorRunResult result) =>
        result.TrackedOutputSteps.SelectMany(s => s.Value)
            .Where(step => step.Inputs.Any(input => input.Source.Name is { } name && (name.EndsWith("Specs", StringComparison.Ordinal) || name.EndsWith("Plan", StringComparison.Ordinal))))
            .SelectMany(s => s.Outputs)
            .GroupBy(o => o.Reason).ToDictionary(g => g.Key, g => g.Count());

    private static string Describe(Dictionary<IncrementalStepRunReason, int> reasons) =>
        string.Join(", ", reasons.Select(r => $"{r.Key}: {r.Value}"));

    private static string Ms(TimeSpan time) => time.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture);
}
