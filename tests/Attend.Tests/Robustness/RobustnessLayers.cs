using System;
using Attend;

namespace Attend.Tests.Robustness;

/// <summary>Causal self-attention: a non-finite token may reach later rows of its sequence, never earlier ones.</summary>
[MultiHeadAttention(ModelDim = 24, Heads = 3, Mask = AttentionMask.Causal)]
internal sealed partial class CausalAttention;

/// <summary>Self- or cross-attention with no mask, optional key padding.</summary>
[MultiHeadAttention(ModelDim = 16, Heads = 2)]
internal sealed partial class PlainAttention;

/// <summary>Grouped-query attention with the ONNX operator's run-time options.</summary>
[ScaledDotProductAttention(Heads = 4, KvHeads = 2, DimHead = 8, ValueDimHead = 6)]
internal sealed partial class GroupedAttention;

/// <summary>Seeded inputs and PyTorch-named weights for the robustness tests.</summary>
internal static class RobustnessData
{
    public static float[] Random(int length, int seed, float scale = 1f)
    {
        var random = new Random(seed);
        float[] values = new float[length];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1) * scale;
        return values;
    }

    /// <summary><c>torch.nn.MultiheadAttention</c>'s state_dict with the packed in-projection and biases.</summary>
    public static WeightDictionary MultiHeadWeights(int modelDim, int seed)
    {
        float scale = 1f / MathF.Sqrt(modelDim);
        var weights = new WeightDictionary();
        weights.Add("in_proj_weight", Random(3 * modelDim * modelDim, seed, scale), 3 * modelDim, modelDim);
        weights.Add("in_proj_bias", Random(3 * modelDim, seed + 1, 0.1f), 3 * modelDim);
        weights.Add("out_proj.weight", Random(modelDim * modelDim, seed + 2, scale), modelDim, modelDim);
        weights.Add("out_proj.bias", Random(modelDim, seed + 3, 0.1f), modelDim);
        return weights;
    }

    /// <summary>Bit patterns equal (NaN payloads included): the only equality concurrency and isolation tests accept.</summary>
    public static bool BitIdentical(ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(a).SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(b));
}
