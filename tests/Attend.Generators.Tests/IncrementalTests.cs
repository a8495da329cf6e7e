using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Attend.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>The incremental cache works: unrelated edits re-emit nothing, and models hold no compilation objects.</summary>
public sealed class IncrementalTests
{
    private const string Layers = """
        namespace Demo;
        [Attend.MultiHeadAttention(ModelDim = 64, Heads = 4, Mask = Attend.AttentionMask.Causal)] public partial class SelfAttention;
        [Attend.ScaledDotProductAttention(Heads = 4, KvHeads = 2, DimHead = 16)] public partial class Grouped;
        [Attend.MultiHeadAttention(ModelDim = 10, Heads = 3)] public partial class Broken;
        [Attend.SqueezeExcitation(Channels = 32, Reduction = 4)] public partial class Squeeze;
        [Attend.EfficientChannelAttention(Channels = 32)] public partial class ChannelGate;
        [Attend.ConvBlockAttention(Channels = 32, Reduction = 4)] public partial class BlockAttention;
        [Attend.BottleneckAttention(Channels = 32)] public partial class Bottleneck;
        [Attend.TripletAttention(Channels = 16)] public partial class Triplet;
        [Attend.SelectiveKernelAttention(Channels = 16, KernelSizes = new[] { 3, 5 })] public partial class SelectiveKernel;
        [Attend.Attention(Score = Attend.AttentionScore.Additive, QuerySize = 5, KeySize = 6, Hidden = 6)] public partial class Bahdanau;
        [Attend.TransformerEncoder(ModelDim = 16, Heads = 2, MlpDim = 32, Depth = 2)] public partial class Encoder;
        [Attend.TransformerDecoder(ModelDim = 16, Heads = 2, MlpDim = 32, Depth = 1)] public partial class Decoder;
        [Attend.VisionTransformer(ImageSize = 8, PatchSize = 2, Channels = 1, Classes = 10, ModelDim = 16, Heads = 2, MlpDim = 32, Depth = 1)] public partial class Vit;
        [Attend.GraphAttention(InFeatures = 8, OutFeatures = 4, Heads = 2)] public partial class Graph;
        [Attend.MemoryHeads(MemoryRows = 16, MemoryWidth = 8)] public partial class Memory;
        [Attend.NadarayaWatson(LearnableWidth = true)] public partial class KernelRegression;
        [Attend.AttentionPooling(Features = 8, HiddenDim = 4)] public partial class Pooling;
        [Attend.SimAm(Channels = 8)] public partial class Simam;
        [Attend.ShuffleAttention(Channels = 32, Groups = 4)] public partial class Shuffle;
        [Attend.CoordinateAttention(Channels = 40, Reduction = 4)] public partial class CoordAtt;
        [Attend.PolarizedSelfAttention(Channels = 16)] public partial class Polarized;
        [Attend.ExternalAttention(ModelDim = 15, MemoryUnits = 8)] public partial class External;
        [Attend.SeparableSelfAttention(ModelDim = 15)] public partial class Separable;
        [Attend.DanetPositionAttention(Channels = 16)] public partial class PositionAttention;
        [Attend.DanetChannelAttention(Channels = 16, Variant = Attend.DanetVariant.Official)] public partial class ChannelAttention;
        [Attend.ConvolutionalSelfAttention(InChannels = 4, OutChannels = 6, KernelSize = 3)] public partial class AttentionAsConvolution;
        """;

    [Fact]
    public void Unrelated_edit_leaves_every_tracked_step_cached_or_unchanged()
    {
        CSharpCompilation first = GeneratorHarness.Compile(Layers, "namespace Demo; public static class Other { public static int Value => 1; }");
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(first);

        SyntaxTree other = first.SyntaxTrees.Last();
        CSharpCompilation second = first.ReplaceSyntaxTree(other, CSharpSyntaxTree.ParseText(
            "namespace Demo; public static class Other { public static int Value => 2; } // edited", GeneratorHarness.ParseOptions, path: other.FilePath));
        GeneratorRunResult result = driver.RunGenerators(second).GetRunResult().Results.Single();

        int checkedSteps = 0;
        foreach (string name in TrackingNames.All)
        {
            Assert.True(result.TrackedSteps.TryGetValue(name, out var runs), $"step {name} was not tracked");
            foreach (IncrementalGeneratorRunStep run in runs)
            {
                foreach ((object _, IncrementalStepRunReason reason) in run.Outputs)
                {
                    Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{name}: {reason}");
                    checkedSteps++;
                }
            }
        }

        Assert.True(checkedSteps >= 6, $"only {checkedSteps} step outputs were checked");
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void Changing_one_declaration_reemits_only_that_one()
    {
        CSharpCompilation first = GeneratorHarness.Compile(Layers);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(first);

        SyntaxTree tree = first.SyntaxTrees.Single();
        string edited = Layers.Replace("Heads = 4, KvHeads = 2", "Heads = 4, KvHeads = 4");
        CSharpCompilation second = first.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(edited, GeneratorHarness.ParseOptions, path: tree.FilePath));
        GeneratorRunResult result = driver.RunGenerators(second).GetRunResult().Results.Single();

        var reasons = result.TrackedSteps[TrackingNames.ScaledDotProductAttentionSpecs].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Contains(IncrementalStepRunReason.Modified, reasons);
        var mhaReasons = result.TrackedSteps[TrackingNames.MultiHeadAttentionSpecs].SelectMany(s => s.Outputs).Select(o => o.Reason);
        Assert.All(mhaReasons, r => Assert.True(r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, r.ToString()));
    }

    [Fact]
    public void Pipeline_models_hold_no_symbols_syntax_locations_or_compilations()
    {
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(GeneratorHarness.Compile(Layers));
        GeneratorRunResult result = driver.GetRunResult().Results.Single();

        int visited = 0;
        foreach (string name in TrackingNames.All)
        {
            foreach (IncrementalGeneratorRunStep step in result.TrackedSteps[name])
            {
                foreach ((object value, _) in step.Outputs)
                {
                    AssertHoldsOnlyValues(value, name, new HashSet<object>(ReferenceEqualityComparer.Instance));
                    visited++;
                }
            }
        }

        Assert.True(visited >= 6);
    }

    private static void AssertHoldsOnlyValues(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum) return;
        if (!value.GetType().IsValueType && !seen.Add(value)) return;

        Type type = value.GetType();
        Assert.False(value is Compilation or ISymbol or SyntaxNode or SyntaxTree or Location or SemanticModel,
            $"{path} holds a {type.Name}, which keeps the compilation alive and breaks caching");

        if (value is IEnumerable sequence)
        {
            int index = 0;
            foreach (object? item in sequence) AssertHoldsOnlyValues(item, $"{path}[{index++}]", seen);
            return;
        }

        foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            AssertHoldsOnlyValues(field.GetValue(value), $"{path}.{field.Name}", seen);
        }
    }
}
