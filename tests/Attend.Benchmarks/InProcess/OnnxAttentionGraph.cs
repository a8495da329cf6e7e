using System;

namespace Attend.Benchmarks.InProcess;

/// <summary>
/// The ONNX graphs ONNX Runtime runs: multi-head self-attention written with standard operators, as
/// <c>torch.onnx.export</c> writes <c>nn.MultiheadAttention</c> (one input projection, Split, per-head
/// Reshape/Transpose, scaled Q·Kᵀ, an additive causal mask, Softmax, P·V, output projection), built here from the
/// case's weights so no model file is checked in and every engine sees the same weights.
/// </summary>
public static class OnnxAttentionGraph
{
    /// <summary>
    /// <c>x [1, L, E] → y [1, L, E]</c> for the self-attention rows; for decode, <c>x [1, 1, E]</c>,
    /// <c>past_key</c> and <c>past_value [1, H, L − 1, DimHead]</c> (concatenated with the new token's key/value
    /// inside the graph, as an exported decoder does) <c>→ y [1, 1, E]</c>.
    /// </summary>
    public static byte[] Build(MhaCase c)
    {
        int e = c.ModelDim, h = c.Heads, d = c.DimHead;
        long queries = c.OutputRows;
        var g = new OnnxGraphBuilder();
        g.Input("x", 1, queries, e);
        if (c.Row.IsDecode)
        {
            g.Input("past_key", 1, h, c.Length - 1, d);
            g.Input("past_value", 1, h, c.Length - 1, d);
        }

        g.Output("y", 1, queries, e);

        string inWeight = g.Constant("in_proj_weight_t", Transpose(c.InProjWeight, 3 * e, e), e, 3 * e);
        string inBias = g.Constant("in_proj_bias", c.InProjBias, 3 * e);
        string outWeight = g.Constant("out_proj_weight_t", Transpose(c.OutProjWeight, e, e), e, e);
        string outBias = g.Constant("out_proj_bias", c.OutProjBias, e);
        string scale = g.Constant("scale", [1f / MathF.Sqrt(d)]);
        string headsShape = g.Int64Constant("heads_shape", 0, -1, h, d);
        string modelShape = g.Int64Constant("model_shape", 0, -1, e);

        string qkv = g.Node("Add", "qkv", [g.Node("MatMul", "qkv_nobias", ["x", inWeight]), inBias]);
        g.Node("Split", ["q_flat", "k_flat", "v_flat"], [qkv], ("axis", -1L));
        string q = g.Node("Mul", "q_scaled", [Heads(g, "q", "q_flat", headsShape), scale]);
        string k = Heads(g, "k", "k_flat", headsShape);
        string v = Heads(g, "v", "v_flat", headsShape);
        if (c.Row.IsDecode)
        {
            k = g.Node("Concat", "k_all", ["past_key", k], ("axis", 2L));
            v = g.Node("Concat", "v_all", ["past_value", v], ("axis", 2L));
        }

        string keysT = g.Node("Transpose", "k_t", [k], ("perm", new long[] { 0, 1, 3, 2 }));
        string scores = g.Node("MatMul", "scores", [q, keysT]);
        if (c.Row.Causal)
        {
            scores = g.Node("Add", "scores_masked", [scores, g.Constant("causal_mask", CausalMask(c.Length), c.Length, c.Length)]);
        }

        string probabilities = g.Node("Softmax", "probabilities", [scores], ("axis", -1L));
        string context = g.Node("MatMul", "context", [probabilities, v]);
        string merged = g.Node("Reshape", "context_merged", [g.Node("Transpose", "context_t", [context], ("perm", new long[] { 0, 2, 1, 3 })), modelShape]);
        g.Node("Add", "y", [g.Node("MatMul", "y_nobias", [merged, outWeight]), outBias]);
        return g.ToModel(c.Row.IsDecode ? "mha_decode" : "mha_self_attention");
    }

    /// <summary>[1, L, E] → [1, H, L, DimHead].</summary>
    private static string Heads(OnnxGraphBuilder g, string name, string flat, string headsShape) =>
        g.Node("Transpose", name, [g.Node("Reshape", name + "_split", [flat, headsShape])], ("perm", new long[] { 0, 2, 1, 3 }));

    internal static float[] Transpose(float[] matrix, int rows, int columns)
    {
        var result = new float[matrix.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int col = 0; col < columns; col++) result[col * rows + r] = matrix[r * columns + col];
        }

        return result;
    }

    /// <summary>0 on and below the diagonal, −∞ above it, as PyTorch's float causal mask.</summary>
    internal static float[] CausalMask(int length)
    {
        var mask = new float[length * length];
        for (int i = 0; i < length; i++)
        {
            mask.AsSpan(i * length + i + 1, length - i - 1).Fill(float.NegativeInfinity);
        }

        return mask;
    }
}
