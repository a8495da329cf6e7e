using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using Attend.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace Attend.Tests.Layers;

/// <summary>
/// Seeded random inputs through generated layers, compared with <see cref="ScalarReference"/> (float64): head widths
/// 1, 3, 17, 64, 80 and 128, grouped and multi-query heads, query lengths 1 and 1000, batch 3, causal or not, key padding
/// that masks a whole sequence (which must give zeros), cross-attention with keyLength ≠ queryLength, both layouts, on
/// every kernel path; and results that do not depend on the thread count.
/// </summary>
public sealed class DifferentialTests(ITestOutputHelper log)
{
    /// <summary>
    /// Relative tolerance against the float64 reference: max |actual − expected| ≤ Tolerance · max(1, max |expected|).
    /// Ten times tighter than the PyTorch fixtures' 1e-4; the worst seen is about 2e-6 (D = 128, scalar path).
    /// </summary>
    private const double Tolerance = 1e-5;

    private static readonly string[] SdpaLayers = [nameof(SdpaH2D1), nameof(SdpaH3Kv1D3Dv5), nameof(SdpaH2D17), nameof(SdpaH2D64), nameof(SdpaH2D80Dv48), nameof(SdpaH2Kv1D128)];

    private static readonly Dictionary<string, SdpaCase> SdpaCases = BuildSdpaCases().ToDictionary(c => c.Name, StringComparer.Ordinal);

    private static readonly Dictionary<string, MhaCase> MhaCases = BuildMhaCases().ToDictionary(c => c.Name, StringComparer.Ordinal);

    /// <summary>References are computed once per case and shared by the four kernel-path rows.</summary>
    private static readonly ConcurrentDictionary<string, Lazy<(SdpaInputs Inputs, ReferenceResult Expected)>> SdpaReferences = new(StringComparer.Ordinal);

    private static readonly ConcurrentDictionary<string, Lazy<(MhaInputs Inputs, ReferenceResult Expected)>> MhaReferences = new(StringComparer.Ordinal);

    /// <summary>How keys are padded in an SDPA case.</summary>
    public enum Padding
    {
        /// <summary>No padding.</summary>
        None,

        /// <summary>A <c>[B, 1, 1, T]</c> boolean mask: batch 1 fully padded, batch 2's last 3 keys padded.</summary>
        BooleanMask,

        /// <summary><c>NonPadKeyLengths</c> = [T, 0, 3]: batch 1 has no valid key.</summary>
        NonPadLengths,
    }

    private sealed record SdpaCase(string Name, string Layer, int Batch, int QueryLength, int KeyLength, bool Causal, AttentionLayout Layout, Padding Padding, int Seed);

    private sealed record SdpaInputs(float[] Query, float[] Key, float[] Value, bool[]? Allowed, long[]? NonPad);

    /// <summary>An MHA case; <see cref="PaddedBatch"/> (if ≥ 0) has every key padded, the next batch its last two.</summary>
    private sealed record MhaCase(string Name, string Layer, int Batch, int QueryLength, int KeyLength, bool Cross, bool SeparateValue, int PaddedBatch, int Seed);

    private sealed record MhaInputs(MhaWeights Weights, float[] Query, float[]? Key, float[]? Value, bool[]? KeyPadding);

    private static IEnumerable<SdpaCase> BuildSdpaCases()
    {
        int seed = 100;
        foreach (string layer in SdpaLayers)
        {
            yield return new SdpaCase($"{layer}_self", layer, 3, 9, 9, false, AttentionLayout.BatchHeadSequence, Padding.None, seed++);
            yield return new SdpaCase($"{layer}_causal", layer, 3, 9, 9, true, AttentionLayout.BatchHeadSequence, Padding.None, seed++);
            yield return new SdpaCase($"{layer}_cross_causal_3d", layer, 3, 5, 13, true, AttentionLayout.BatchSequenceHidden, Padding.None, seed++);
            yield return new SdpaCase($"{layer}_cross_q_longer_causal_padded", layer, 3, 11, 6, true, AttentionLayout.BatchHeadSequence, Padding.BooleanMask, seed++);
            yield return new SdpaCase($"{layer}_cross_padded", layer, 3, 6, 11, false, AttentionLayout.BatchSequenceHidden, Padding.BooleanMask, seed++);
            yield return new SdpaCase($"{layer}_nonpad", layer, 3, 4, 10, false, AttentionLayout.BatchHeadSequence, Padding.NonPadLengths, seed++);
            yield return new SdpaCase($"{layer}_query1", layer, 3, 1, 37, false, AttentionLayout.BatchHeadSequence, Padding.None, seed++);
        }

        // Long sequences: few, so the suite stays fast.
        yield return new SdpaCase("SdpaH2D17_long_causal", nameof(SdpaH2D17), 1, 1000, 1000, true, AttentionLayout.BatchHeadSequence, Padding.None, seed++);
        yield return new SdpaCase("SdpaH2Kv1D128_long_query_cross_padded", nameof(SdpaH2Kv1D128), 3, 1000, 24, false, AttentionLayout.BatchSequenceHidden, Padding.BooleanMask, seed++);
        yield return new SdpaCase("SdpaH2Kv1D128_query1_keys1000", nameof(SdpaH2Kv1D128), 3, 1, 1000, false, AttentionLayout.BatchHeadSequence, Padding.BooleanMask, seed++);
    }

    private static IEnumerable<MhaCase> BuildMhaCases()
    {
        yield return new MhaCase("MhaE51H3_self", nameof(MhaE51H3), 3, 9, 9, false, false, -1, 1);
        yield return new MhaCase("MhaE51H3_self_padded", nameof(MhaE51H3), 3, 9, 9, false, false, 1, 2);
        yield return new MhaCase("MhaE51H3_cross_padded", nameof(MhaE51H3), 3, 5, 12, true, true, 0, 3);
        yield return new MhaCase("MhaE51H3_query1", nameof(MhaE51H3), 3, 1, 1, false, false, -1, 4);
        yield return new MhaCase("MhaE51H3_cross_query1", nameof(MhaE51H3), 3, 1, 17, true, true, -1, 5);
        yield return new MhaCase("MhaE51H3Causal_self_padded", nameof(MhaE51H3Causal), 3, 10, 10, false, false, 2, 6);
        yield return new MhaCase("MhaE51H3Causal_cross_query_longer", nameof(MhaE51H3Causal), 3, 7, 4, true, true, -1, 7);
        yield return new MhaCase("MhaE8H8_self", nameof(MhaE8H8), 3, 6, 6, false, false, -1, 8);
        yield return new MhaCase("MhaE8H8_cross_value_is_key", nameof(MhaE8H8), 3, 3, 5, true, false, 1, 9);
        yield return new MhaCase("MhaE20H2D7Kv10V6_cross_padded", nameof(MhaE20H2D7Kv10V6), 3, 6, 9, true, true, 0, 10);
        yield return new MhaCase("MhaE20H2D7Kv10V6_cross_query1", nameof(MhaE20H2D7Kv10V6), 3, 1, 9, true, true, 2, 11);
        yield return new MhaCase("MhaE51H3Causal_long_query_cross", nameof(MhaE51H3Causal), 1, 1000, 40, true, true, -1, 12);
    }

    public static TheoryData<string, KernelPath> SdpaRows() => Rows(SdpaCases.Keys);

    public static TheoryData<string, KernelPath> MhaRows() => Rows(MhaCases.Keys);

    public static TheoryData<KernelPath> Paths()
    {
        var data = new TheoryData<KernelPath>();
        foreach (KernelPath path in KernelPaths.All)
        {
            data.Add(path);
        }

        return data;
    }

    [Fact]
    public void EveryRequestedHeadWidthIsCovered()
    {
        int[] widths = SdpaLayers.Select(n => DeclaredLayers.SdpaNamed(n).DimHead).Order().ToArray();
        Assert.Equal([1, 3, 17, 64, 80, 128], widths);
        Assert.Contains(SdpaCases.Values, c => c.QueryLength == 1);
        Assert.Contains(SdpaCases.Values, c => c.QueryLength == 1000);
        Assert.Contains(MhaCases.Values, c => c.QueryLength == 1000);
    }

    [Theory]
    [MemberData(nameof(SdpaRows))]
    public void Sdpa_MatchesFloat64Reference(string name, KernelPath path)
    {
        SdpaCase c = SdpaCases[name];
        SdpaDeclaration layerInfo = DeclaredLayers.SdpaNamed(c.Layer);
        (SdpaInputs inputs, ReferenceResult expected) = SdpaReferences.GetOrAdd(name, _ => new Lazy<(SdpaInputs, ReferenceResult)>(() => Reference(c, layerInfo))).Value;

        IScaledDotProductAttentionLayer layer = layerInfo.Create();
        layer.Path = path;
        (float[] y, float[] probabilities) = RunSdpa(layer, layerInfo, c, inputs);

        bool[] empty = expected.EmptyRows;
        double yError = LayerAssert.Close(expected.Output, y, Tolerance, $"{name} [{path}] output", n => !empty[n / layerInfo.ValueDimHead]);
        double pError = LayerAssert.Close(expected.Probabilities, probabilities, Tolerance, $"{name} [{path}] probabilities", n => !empty[n / c.KeyLength]);
        int emptyRows = empty.Count(e => e);
        if (c.Padding != Padding.None)
        {
            Assert.True(emptyRows > 0, $"{name}: the padding was meant to leave some rows with no key");
            LayerAssert.Zero(y, $"{name} [{path}] output of rows with no key", n => empty[n / layerInfo.ValueDimHead]);
            LayerAssert.Zero(probabilities, $"{name} [{path}] probabilities of rows with no key", n => empty[n / c.KeyLength]);
        }

        log.WriteLine($"{name} {path}: max |error| output {LayerAssert.Text(yError)}, probabilities {LayerAssert.Text(pError)}, rows with no key {emptyRows}");
    }

    [Theory]
    [MemberData(nameof(MhaRows))]
    public void Mha_MatchesFloat64Reference(string name, KernelPath path)
    {
        MhaCase c = MhaCases[name];
        MhaDeclaration layerInfo = DeclaredLayers.Mha[c.Layer];
        (MhaInputs inputs, ReferenceResult expected) = MhaReferences.GetOrAdd(name, _ => new Lazy<(MhaInputs, ReferenceResult)>(() => Reference(c, layerInfo))).Value;

        IMultiHeadAttentionLayer layer = layerInfo.Create();
        layer.Path = path;
        layer.LoadWeights(inputs.Weights.ToSource(layerInfo));
        (float[] y, float[] weights) = RunMha(layer, layerInfo, c, inputs);

        double yError = LayerAssert.Close(expected.Output, y, Tolerance, $"{name} [{path}] output");
        double wError = LayerAssert.Close(expected.Probabilities, weights, Tolerance, $"{name} [{path}] attention weights");
        if (c.PaddedBatch >= 0)
        {
            // Every key of that sequence is padded: its heads attend to nothing (zeros, not NaN), so the output is exactly
            // the output projection of zeros, i.e. out_proj.bias (or 0 without bias).
            int b = c.PaddedBatch;
            int perBatch = layerInfo.Heads * c.QueryLength * c.KeyLength;
            LayerAssert.Zero(weights, $"{name} [{path}] attention weights of the fully padded sequence", n => n / perBatch == b);
            float[] bias = inputs.Weights.OutputBias ?? new float[layerInfo.ModelDim];
            for (int i = 0; i < c.QueryLength; i++)
            {
                LayerAssert.Identical(bias, y.AsSpan((b * c.QueryLength + i) * layerInfo.ModelDim, layerInfo.ModelDim),
                    $"{name} [{path}] output row {i} of the fully padded sequence (must be out_proj.bias)");
            }
        }

        log.WriteLine($"{name} {path}: max |error| output {LayerAssert.Text(yError)}, attention weights {LayerAssert.Text(wError)}");
    }

    /// <summary>One thread or two: bit-identical outputs, probabilities and scores (the work is large enough to be split).</summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void Sdpa_ThreadCountDoesNotChangeResults(KernelPath path)
    {
        SdpaDeclaration layerInfo = DeclaredLayers.SdpaNamed(nameof(SdpaH2D64));
        var c = new SdpaCase("determinism", layerInfo.Name, 2, 200, 230, true, AttentionLayout.BatchSequenceHidden, Padding.BooleanMask, 77);
        SdpaInputs inputs = Inputs(c, layerInfo);
        IScaledDotProductAttentionLayer layer = layerInfo.Create();
        layer.Path = path;

        layer.MaxDegreeOfParallelism = 1;
        (float[] y1, float[] p1) = RunSdpa(layer, layerInfo, c, inputs);
        layer.MaxDegreeOfParallelism = 2;
        (float[] y2, float[] p2) = RunSdpa(layer, layerInfo, c, inputs);
        LayerAssert.Identical(y1, y2, $"SDPA [{path}] output, 1 vs 2 threads");
        LayerAssert.Identical(p1, p2, $"SDPA [{path}] probabilities, 1 vs 2 threads");
    }

    /// <inheritdoc cref="Sdpa_ThreadCountDoesNotChangeResults"/>
    [Theory]
    [MemberData(nameof(Paths))]
    public void Mha_ThreadCountDoesNotChangeResults(KernelPath path)
    {
        MhaDeclaration layerInfo = DeclaredLayers.Mha[nameof(MhaE51H3Causal)];
        var c = new MhaCase("determinism", layerInfo.Name, 3, 200, 200, false, false, 1, 78);
        MhaInputs inputs = Inputs(c, layerInfo);
        IMultiHeadAttentionLayer layer = layerInfo.Create();
        layer.Path = path;
        layer.LoadWeights(inputs.Weights.ToSource(layerInfo));

        layer.MaxDegreeOfParallelism = 1;
        (float[] y1, float[] w1) = RunMha(layer, layerInfo, c, inputs);
        layer.MaxDegreeOfParallelism = 2;
        (float[] y2, float[] w2) = RunMha(layer, layerInfo, c, inputs);
        LayerAssert.Identical(y1, y2, $"MHA [{path}] output, 1 vs 2 threads");
        LayerAssert.Identical(w1, w2, $"MHA [{path}] attention weights, 1 vs 2 threads");

        // A second call on the same instance (pooled scratch reused) gives the same bits.
        (float[] y3, _) = RunMha(layer, layerInfo, c, inputs);
        LayerAssert.Identical(y2, y3, $"MHA [{path}] output, repeated call");
    }

    /// <summary>No key at all (T = 0): every row attends to nothing, so the output is zeros, never NaN.</summary>
    [Theory]
    [MemberData(nameof(Paths))]
    public void Sdpa_NoKeys_GivesZeros(KernelPath path)
    {
        IScaledDotProductAttentionLayer layer = new SdpaH2D17 { Path = path };
        float[] y = TestTensors.Filled(3 * 2 * 4 * 17, float.NaN);
        layer.Forward(new ScaledDotProductAttentionArguments
        {
            Batch = 3,
            QueryLength = 4,
            KeyLength = 0,
            Query = TestTensors.Uniform(new Random(5), 3 * 2 * 4 * 17, 1),
            Output = y,
            IsCausal = true,
        });
        LayerAssert.Zero(y, $"SDPA [{path}] output with no keys", _ => true);
    }

    /// <summary>One instance called from several threads at once gives each call what it gives alone.</summary>
    [Fact]
    public void Mha_ConcurrentCallsOnOneInstance_MatchSerialCalls()
    {
        MhaDeclaration layerInfo = DeclaredLayers.Mha[nameof(MhaE51H3Causal)];
        MhaCase[] cases = Enumerable.Range(0, 8).Select(n => new MhaCase($"concurrent{n}", layerInfo.Name, 3, 20 + n, 20 + n, false, false, n % 3, 300 + n)).ToArray();
        IMultiHeadAttentionLayer layer = layerInfo.Create();
        layer.MaxDegreeOfParallelism = 2;
        layer.LoadWeights(MhaWeights.Random(layerInfo, 201).ToSource(layerInfo));
        MhaInputs[] inputs = cases.Select(c => Inputs(c, layerInfo)).ToArray();
        (float[] Output, float[] Weights)[] serial = cases.Select((c, n) => RunMha(layer, layerInfo, c, inputs[n])).ToArray();
        var concurrent = new (float[] Output, float[] Weights)[cases.Length];
        System.Threading.Tasks.Parallel.For(0, cases.Length, new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = 4 },
            n => concurrent[n] = RunMha(layer, layerInfo, cases[n], inputs[n]));
        for (int n = 0; n < cases.Length; n++)
        {
            LayerAssert.Identical(serial[n].Output, concurrent[n].Output, $"{cases[n].Name} output, concurrent vs serial");
            LayerAssert.Identical(serial[n].Weights, concurrent[n].Weights, $"{cases[n].Name} attention weights, concurrent vs serial");
        }
    }

    /// <summary><see cref="KernelPath.Auto"/> is <see cref="KernelPaths.Best"/>, bit for bit.</summary>
    [Fact]
    public void AutoPath_IsTheBestPath()
    {
        MhaDeclaration layerInfo = DeclaredLayers.Mha[nameof(MhaE51H3)];
        MhaCase c = MhaCases["MhaE51H3_cross_padded"];
        MhaInputs inputs = Inputs(c, layerInfo);
        IMultiHeadAttentionLayer auto = layerInfo.Create();
        IMultiHeadAttentionLayer best = layerInfo.Create();
        best.Path = KernelPaths.Best;
        auto.LoadWeights(inputs.Weights.ToSource(layerInfo));
        best.LoadWeights(inputs.Weights.ToSource(layerInfo));
        Assert.Equal(KernelPath.Auto, auto.Path);
        LayerAssert.Identical(RunMha(best, layerInfo, c, inputs).Output, RunMha(auto, layerInfo, c, inputs).Output, "Auto vs Best");
    }

    private static TheoryData<string, KernelPath> Rows(IEnumerable<string> names)
    {
        var data = new TheoryData<string, KernelPath>();
        foreach (string name in names)
        {
            foreach (KernelPath path in KernelPaths.All)
            {
                data.Add(name, path);
            }
        }

        return data;
    }

    private static SdpaInputs Inputs(SdpaCase c, SdpaDeclaration l)
    {
        var random = new Random(c.Seed);
        float[] q = TestTensors.Uniform(random, c.Batch * l.Heads * c.QueryLength * l.DimHead, 2);
        float[] k = TestTensors.Uniform(random, c.Batch * l.KvHeads * c.KeyLength * l.DimHead, 2);
        float[] v = TestTensors.Uniform(random, c.Batch * l.KvHeads * c.KeyLength * l.ValueDimHead, 2);
        bool[]? allowed = null;
        long[]? nonPad = null;
        if (c.Padding == Padding.BooleanMask)
        {
            // [B, 1, 1, T], true = may attend: batch 1 fully padded, batch 2 its last 3 keys (when it has more).
            allowed = new bool[c.Batch * c.KeyLength];
            for (int b = 0; b < c.Batch; b++)
            {
                for (int j = 0; j < c.KeyLength; j++)
                {
                    allowed[b * c.KeyLength + j] = b != 1 && !(b == 2 && j >= 3 && j >= c.KeyLength - 3);
                }
            }
        }
        else if (c.Padding == Padding.NonPadLengths)
        {
            nonPad = Enumerable.Range(0, c.Batch).Select(b => b == 1 ? 0L : b == 2 ? 3L : c.KeyLength).ToArray();
        }

        return new SdpaInputs(q, k, v, allowed, nonPad);
    }

    private static (SdpaInputs, ReferenceResult) Reference(SdpaCase c, SdpaDeclaration l)
    {
        SdpaInputs inputs = Inputs(c, l);
        bool[]? allowed = inputs.Allowed;
        long[]? nonPad = inputs.NonPad;
        ReferenceResult expected = ScalarReference.Attention(
            inputs.Query, inputs.Key, inputs.Value, c.Batch, l.Heads, l.KvHeads, c.QueryLength, c.KeyLength, l.DimHead, l.ValueDimHead,
            1.0 / Math.Sqrt(l.DimHead),
            (b, h, i, j) => !(c.Causal && j > i) && (allowed == null || allowed[b * c.KeyLength + j]) && (nonPad == null || j < nonPad[b]));
        return (inputs, expected);
    }

    /// <summary>Runs the layer in the case's layout; returns the output as <c>[B, Hq, Sq, Dv]</c> and the probabilities.</summary>
    private static (float[] Output, float[] Probabilities) RunSdpa(IScaledDotProductAttentionLayer layer, SdpaDeclaration l, SdpaCase c, SdpaInputs inputs)
    {
        bool hidden = c.Layout == AttentionLayout.BatchSequenceHidden;
        float[] y = TestTensors.Filled(c.Batch * l.Heads * c.QueryLength * l.ValueDimHead, float.NaN);
        float[] probabilities = TestTensors.Filled(c.Batch * l.Heads * c.QueryLength * c.KeyLength, float.NaN);
        layer.Forward(new ScaledDotProductAttentionArguments
        {
            Layout = c.Layout,
            Batch = c.Batch,
            QueryLength = c.QueryLength,
            KeyLength = c.KeyLength,
            Query = hidden ? TestTensors.ToHidden(inputs.Query, c.Batch, l.Heads, c.QueryLength, l.DimHead) : inputs.Query,
            Key = hidden ? TestTensors.ToHidden(inputs.Key, c.Batch, l.KvHeads, c.KeyLength, l.DimHead) : inputs.Key,
            Value = hidden ? TestTensors.ToHidden(inputs.Value, c.Batch, l.KvHeads, c.KeyLength, l.ValueDimHead) : inputs.Value,
            Output = y,
            IsCausal = c.Causal,
            BooleanMask = inputs.Allowed,
            MaskShape = inputs.Allowed != null ? [c.Batch, 1, 1, c.KeyLength] : default,
            NonPadKeyLengths = inputs.NonPad,
            QkMatMulOutput = probabilities,
            QkMatMulOutputMode = QkMatMulOutputMode.AfterSoftmax,
        });
        return (hidden ? TestTensors.FromHidden(y, c.Batch, l.Heads, c.QueryLength, l.ValueDimHead) : y, probabilities);
    }

    private static MhaInputs Inputs(MhaCase c, MhaDeclaration l)
    {
        var random = new Random(c.Seed);
        MhaWeights weights = MhaWeights.Random(l, c.Seed + 1000);
        float[] query = TestTensors.Uniform(random, c.Batch * c.QueryLength * l.ModelDim, 2);
        float[]? key = c.Cross ? TestTensors.Uniform(random, c.Batch * c.KeyLength * l.KeyDim, 2) : null;
        float[]? value = c.Cross && c.SeparateValue ? TestTensors.Uniform(random, c.Batch * c.KeyLength * l.ValueDim, 2) : null;
        bool[]? padding = null;
        if (c.PaddedBatch >= 0 || l.KeyPadding)
        {
            padding = new bool[c.Batch * c.KeyLength];
            for (int b = 0; b < c.Batch; b++)
            {
                for (int j = 0; j < c.KeyLength; j++)
                {
                    padding[b * c.KeyLength + j] = b == c.PaddedBatch || (b == (c.PaddedBatch + 1) % c.Batch && j >= 2 && j >= c.KeyLength - 2);
                }
            }
        }

        return new MhaInputs(weights, query, key, value, padding);
    }

    private static (MhaInputs, ReferenceResult) Reference(MhaCase c, MhaDeclaration l)
    {
        MhaInputs inputs = Inputs(c, l);
        ReferenceResult expected = ScalarReference.MultiHead(l, inputs.Weights, inputs.Query, inputs.Key, inputs.Value, c.Batch, c.QueryLength, c.KeyLength, inputs.KeyPadding);
        return (inputs, expected);
    }

    private static (float[] Output, float[] Weights) RunMha(IMultiHeadAttentionLayer layer, MhaDeclaration l, MhaCase c, MhaInputs inputs)
    {
        float[] y = TestTensors.Filled(c.Batch * c.QueryLength * l.ModelDim, float.NaN);
        float[] weights = TestTensors.Filled(c.Batch * l.Heads * c.QueryLength * c.KeyLength, float.NaN);
        layer.Forward(inputs.Query, y, c.Batch, c.QueryLength, inputs.Key, inputs.Value, c.Cross ? c.KeyLength : 0, inputs.KeyPadding, weights);
        return (y, weights);
    }
}
