using System;
using System.Collections.Generic;
using System.Linq;
using Attend;

namespace Attend.Tests.Robustness;

[SqueezeExcitation(Channels = 32, SqueezeChannels = 8)] internal sealed partial class SwapSqueezeExcitation;

[EfficientChannelAttention(Channels = 32, KernelSize = 3)] internal sealed partial class SwapEfficientChannelAttention;

[ConvBlockAttention(Channels = 16, HiddenChannels = 4, SpatialKernelSize = 3)] internal sealed partial class SwapConvBlockAttention;

/// <summary>The [Attention] form with the most tensors: the MLP score plus local-p's position predictor.</summary>
[Attention(Score = AttentionScore.Mlp, QuerySize = 6, KeySize = 5, ValueSize = 3, Hidden = 8, Local = LocalAttention.Predictive, Window = 2, PositionHidden = 4)]
internal sealed partial class SwapScoreAttention;

[GraphAttention(InFeatures = 6, OutFeatures = 4, Heads = 2, Bias = true)] internal sealed partial class SwapGraphAttention;

[AttentionPooling(Features = 12, HiddenDim = 8)] internal sealed partial class SwapAdditivePooling;

[AttentionPooling(Features = 12, Score = PoolingScore.LearnedQuery)] internal sealed partial class SwapLearnedQueryPooling;

[NadarayaWatson(LearnableWidth = true)] internal sealed partial class SwapNadarayaWatson;

[TransformerEncoder(ModelDim = 8, Heads = 2, MlpDim = 12, Depth = 1, FinalNorm = true)] internal sealed partial class SwapTransformerEncoder;

[MultiHeadAttention(ModelDim = 8, Heads = 2, KvHeads = 1, Mask = AttentionMask.Causal)] internal sealed partial class SwapGroupedAttention;

[TransformerDecoder(ModelDim = 8, Heads = 2, MlpDim = 12, Depth = 1)] internal sealed partial class SwapTransformerDecoder;

/// <summary>
/// One weighted layer kind as the weight-swap tests drive it: the tensors its <c>LoadWeights</c> reads (PyTorch names and
/// shapes, in the order it reads them), and a factory for a fresh instance whose <c>Forward</c> runs fixed inputs and returns a new output array.
/// </summary>
internal sealed record SwapCase(string Kind, (string Name, long[] Shape)[] Tensors, Func<(Action<IWeightSource> Load, Func<float[]> Forward)> Create)
{
    public override string ToString() => Kind;

    /// <summary>A complete, valid set of seeded weights.</summary>
    public WeightDictionary Weights(int seed)
    {
        var weights = new WeightDictionary();
        for (int i = 0; i < Tensors.Length; i++) Add(weights, Tensors[i].Name, Tensors[i].Shape, seed * 31 + i);
        return weights;
    }

    /// <summary>
    /// Every tensor but the last is valid (and differs from <paramref name="seed"/>'s neighbours), the last one is
    /// misshaped (one row too many) or missing: a load that applied tensors one by one would change the layer.
    /// </summary>
    public WeightDictionary Broken(int seed, bool missing)
    {
        var weights = new WeightDictionary();
        for (int i = 0; i < Tensors.Length - 1; i++) Add(weights, Tensors[i].Name, Tensors[i].Shape, seed * 31 + i);
        (string name, long[] shape) = Tensors[^1];
        if (!missing) Add(weights, name, shape.Select((d, k) => k == 0 ? d + 1 : d).ToArray(), seed * 31 + Tensors.Length);
        return weights;
    }

    private static void Add(WeightDictionary weights, string name, long[] shape, int seed)
    {
        int length = (int)shape.Aggregate(1L, (a, b) => a * b);
        weights.Add(name, RobustnessData.Random(length, seed, 0.5f), shape);
    }

    public static IEnumerable<SwapCase> All()
    {
        const int Batch = 2, Side = 5;
        float[] maps32 = RobustnessData.Random(Batch * 32 * Side * Side, 7);
        float[] maps16 = RobustnessData.Random(Batch * 16 * Side * Side, 8);
        float[] Maps(float[] x, Action<float[], float[]> forward)
        {
            float[] y = new float[x.Length];
            forward(x, y);
            return y;
        }

        yield return new SwapCase("SqueezeExcitation",
            new[] { ("fc1.weight", new long[] { 8, 32, 1, 1 }), ("fc1.bias", new long[] { 8 }), ("fc2.weight", new long[] { 32, 8, 1, 1 }), ("fc2.bias", new long[] { 32 }) },
            () =>
            {
                var layer = new SwapSqueezeExcitation { MaxDegreeOfParallelism = 1 };
                return (source => layer.LoadWeights(source), () => Maps(maps32, (x, y) => layer.Forward(x, y, Batch, Side, Side)));
            });

        yield return new SwapCase("EfficientChannelAttention",
            new[] { ("conv.weight", new long[] { 1, 1, 3 }) },
            () =>
            {
                var layer = new SwapEfficientChannelAttention { MaxDegreeOfParallelism = 1 };
                return (source => layer.LoadWeights(source), () => Maps(maps32, (x, y) => layer.Forward(x, y, Batch, Side, Side)));
            });

        yield return new SwapCase("ConvBlockAttention",
            new[] { ("ca.fc.0.weight", new long[] { 4, 16, 1, 1 }), ("ca.fc.2.weight", new long[] { 16, 4, 1, 1 }), ("sa.conv1.weight", new long[] { 1, 2, 3, 3 }) },
            () =>
            {
                var layer = new SwapConvBlockAttention { MaxDegreeOfParallelism = 1 };
                return (source => layer.LoadWeights(source), () => Maps(maps16, (x, y) => layer.Forward(x, y, Batch, Side, Side)));
            });

        const int Queries = 4, Keys = 6;
        float[] queries = RobustnessData.Random(Batch * Queries * 6, 9), keys = RobustnessData.Random(Batch * Keys * 5, 10), values = RobustnessData.Random(Batch * Keys * 3, 11);
        yield return new SwapCase("Attention",
            new[] { ("mlp.0.weight", new long[] { 8, 11 }), ("mlp.0.bias", new long[] { 8 }), ("mlp.2.weight", new long[] { 1, 8 }), ("mlp.2.bias", new long[] { 1 }), ("W_p.weight", new long[] { 4, 6 }), ("v_p.weight", new long[] { 1, 4 }) },
            () =>
            {
                var layer = new SwapScoreAttention { MaxDegreeOfParallelism = 1 };
                return (source => layer.LoadWeights(source), () =>
                {
                    float[] y = new float[Batch * Queries * 3];
                    layer.Forward(queries, keys, values, y, Batch, Queries, Keys);
                    return y;
                });
            });

        const int Nodes = 7;
        float[] nodeFeatures = RobustnessData.Random(Nodes * 6, 12);
        int[] edgeIndex = { 0, 1, 2, 3, 4, 5, 6, 0, 2, 1, 2, 3, 4, 5, 6, 0, 3, 5 };
        yield return new SwapCase("GraphAttention",
            new[] { ("W.weight", new long[] { 8, 6 }), ("a", new long[] { 2, 8 }), ("bias", new long[] { 8 }) },
            () =>
            {
                var layer = new SwapGraphAttention { MaxDegreeOfParallelism = 1 };
                return (source => layer.LoadWeights(source), () =>
                {
                    float[] y = new float[Nodes * SwapGraphAttention.OutputWidth];
                    layer.Forward(nodeFeatures, edgeIndex, y, Nodes);
                    return y;
                });
            });

        const int Length = 9;
        float[] sequences = RobustnessData.Random(Batch * Length * 12, 13);
        float[] Pool(Action<float[], float[]> forward)
        {
            float[] y = new float[Batch * 12];
            forward(sequences, y);
            return y;
        }

        yield return new SwapCase("AttentionPooling.Additive",
            new[] { ("proj.weight", new long[] { 8, 12 }), ("proj.bias", new long[] { 8 }), ("context.weight", new long[] { 1, 8 }) },
            () =>
            {
                var layer = new SwapAdditivePooling { MaxDegreeOfParallelism = 1 };
                return (source => layer.LoadWeights(source), () => Pool((x, y) => layer.Forward(x, y, Batch, Length)));
            });

        yield return new SwapCase("AttentionPooling.LearnedQuery",
            new[] { ("query", new long[] { 12 }) },
            () =>
            {
                var layer = new SwapLearnedQueryPooling { MaxDegreeOfParallelism = 1 };
                return (source => layer.LoadWeights(source), () => Pool((x, y) => layer.Forward(x, y, Batch, Length)));
            });

        const int Points = 40;
        float[] nwQueries = RobustnessData.Random(Points, 14, 3f), nwKeys = RobustnessData.Random(Points, 15, 3f), nwValues = RobustnessData.Random(Points, 16);
        yield return new SwapCase("NadarayaWatson",
            new[] { ("w", new long[] { 1 }) },
            () =>
            {
                var layer = new SwapNadarayaWatson();
                return (source => layer.LoadWeights(source), () =>
                {
                    float[] y = new float[Points];
                    layer.Forward(nwQueries, nwKeys, nwValues, y, Points, Points);
                    return y;
                });
            });

        const int Tokens = 5;
        float[] tokens = RobustnessData.Random(Batch * Tokens * 8, 17), memory = RobustnessData.Random(Batch * Tokens * 8, 18);
        (string, long[])[] Attention(string prefix) =>
        [
            (prefix + ".in_proj_weight", [24, 8]), (prefix + ".in_proj_bias", [24]), (prefix + ".out_proj.weight", [8, 8]), (prefix + ".out_proj.bias", [8]),
        ];
        (string, long[])[] FeedForward() => [("layers.0.linear1.weight", [12, 8]), ("layers.0.linear1.bias", [12]), ("layers.0.linear2.weight", [8, 12]), ("layers.0.linear2.bias", [8])];
        (string, long[])[] Norm(string name) => [(name + ".weight", [8]), (name + ".bias", [8])];

        yield return new SwapCase("MultiHeadAttention.GroupedCausal",
            [("in_proj_weight", [16, 8]), ("in_proj_bias", [16]), ("out_proj.weight", [8, 8]), ("out_proj.bias", [8])],
            () =>
            {
                var layer = new SwapGroupedAttention { MaxDegreeOfParallelism = 1 };
                return (source => layer.LoadWeights(source), () =>
                {
                    float[] y = new float[tokens.Length];
                    layer.Forward(tokens, y, Batch, Tokens);
                    return y;
                });
            });

        yield return new SwapCase("TransformerEncoder",
            [.. Attention("layers.0.self_attn"), .. FeedForward(), .. Norm("layers.0.norm1"), .. Norm("layers.0.norm2"), .. Norm("norm")],
            () =>
            {
                var stack = new SwapTransformerEncoder { MaxDegreeOfParallelism = 1 };
                return (source => stack.LoadWeights(source), () =>
                {
                    float[] y = new float[tokens.Length];
                    stack.Forward(tokens, y, Batch, Tokens);
                    return y;
                });
            });

        yield return new SwapCase("TransformerDecoder",
            [.. Attention("layers.0.self_attn"), .. Attention("layers.0.multihead_attn"), .. FeedForward(), .. Norm("layers.0.norm1"), .. Norm("layers.0.norm2"), .. Norm("layers.0.norm3")],
            () =>
            {
                var stack = new SwapTransformerDecoder { MaxDegreeOfParallelism = 1 };
                return (source => stack.LoadWeights(source), () =>
                {
                    float[] y = new float[tokens.Length];
                    stack.Forward(tokens, memory, y, Batch, Tokens, Tokens);
                    return y;
                });
            });
    }
}
