using System;
using System.Threading.Tasks;
using static Attend.Benchmarks.Float64Layers;
using static Attend.Benchmarks.TinyDecoderPeers.TinyDecoderWeights;

namespace Attend.Benchmarks.TinyDecoderPeers;

/// <summary>
/// train.py's model in float64 from the float32 weights: embedding, per layer
/// <c>x += out(attn(rotary(LN1(x))))</c> with 4 query heads over 2 key/value heads and a causal mask, then
/// <c>x += W2·gelu(W1·LN2(x))</c>; final LayerNorm, lm_head. Teacher-forced: it runs each prompt, the separator and the
/// given answer tokens once and reads the logits every decode step chose from (positions 8 … 15), so the greedy
/// engines' step logits compare position by position while their tokens agree.
/// </summary>
internal static class TinyDecoderReference
{
    /// <summary>Logits <c>[count, Answer, Vocabulary]</c> for prompts <c>[count, Digits]</c> continued by <paramref name="answers"/> <c>[count, Digits]</c>.</summary>
    public static double[] Logits(TinyDecoderWeights w, byte[] prompts, byte[] answers)
    {
        int count = prompts.Length / Answer;
        double[] logits = new double[count * Answer * Vocabulary];
        Parallel.For(0, count, b =>
        {
            long[] tokens = new long[PromptLength + Answer - 1];
            PromptTokens(prompts.AsSpan(b * Answer, Answer), tokens);
            for (int i = 0; i < Answer - 1; i++) tokens[PromptLength + i] = answers[b * Answer + i];
            double[][] x = Forward(w, tokens);
            for (int step = 0; step < Answer; step++)
            {
                double[] row = Linear(LayerNorm(x[PromptLength - 1 + step], w["blocks.norm.weight"], w["blocks.norm.bias"]), w["lm_head.weight"], null, Vocabulary);
                row.CopyTo(logits, (b * Answer + step) * Vocabulary);
            }
        });
        return logits;
    }

    /// <summary>The stack's output rows (before the final norm) for one causal sequence.</summary>
    private static double[][] Forward(TinyDecoderWeights w, long[] tokens)
    {
        int n = tokens.Length, group = Heads / KvHeads;
        var x = new double[n][];
        for (int t = 0; t < n; t++) x[t] = Array.ConvertAll(w["tok_emb.weight"].AsSpan((int)tokens[t] * Width, Width).ToArray(), v => (double)v);
        for (int layer = 0; layer < Depth; layer++)
        {
            var q = new double[n][];
            var k = new double[n][];
            var v = new double[n][];
            for (int t = 0; t < n; t++)
            {
                double[] qkv = Linear(LayerNorm(x[t], w.Layer(layer, "norm1.weight"), w.Layer(layer, "norm1.bias")), w.Layer(layer, "self_attn.in_proj_weight"), w.Layer(layer, "self_attn.in_proj_bias"), (Heads + 2 * KvHeads) * DimHead);
                q[t] = Rotate(qkv.AsSpan(0, Heads * DimHead).ToArray(), t);
                k[t] = Rotate(qkv.AsSpan(Heads * DimHead, KvHeads * DimHead).ToArray(), t);
                v[t] = qkv.AsSpan((Heads + KvHeads) * DimHead, KvHeads * DimHead).ToArray();
            }

            for (int t = 0; t < n; t++)
            {
                double[] context = new double[Heads * DimHead];
                for (int head = 0; head < Heads; head++)
                {
                    int kv = head / group; // query head h reads key/value head h / (Heads / KvHeads)
                    double[] scores = new double[t + 1];
                    double max = double.NegativeInfinity, sum = 0;
                    for (int s = 0; s <= t; s++)
                    {
                        double dot = 0;
                        for (int i = 0; i < DimHead; i++) dot += q[t][head * DimHead + i] * k[s][kv * DimHead + i];
                        max = Math.Max(max, scores[s] = dot / Math.Sqrt(DimHead));
                    }

                    for (int s = 0; s <= t; s++) sum += scores[s] = Math.Exp(scores[s] - max);
                    for (int s = 0; s <= t; s++)
                    {
                        for (int i = 0; i < DimHead; i++) context[head * DimHead + i] += scores[s] / sum * v[s][kv * DimHead + i];
                    }
                }

                double[] attention = Linear(context, w.Layer(layer, "self_attn.out_proj.weight"), w.Layer(layer, "self_attn.out_proj.bias"), Width);
                for (int i = 0; i < Width; i++) x[t][i] += attention[i];
            }

            for (int t = 0; t < n; t++)
            {
                double[] hidden = Linear(LayerNorm(x[t], w.Layer(layer, "norm2.weight"), w.Layer(layer, "norm2.bias")), w.Layer(layer, "linear1.weight"), w.Layer(layer, "linear1.bias"), MlpDim);
                for (int i = 0; i < MlpDim; i++) hidden[i] = Gelu(hidden[i]);
                double[] mlp = Linear(hidden, w.Layer(layer, "linear2.weight"), w.Layer(layer, "linear2.bias"), Width);
                for (int i = 0; i < Width; i++) x[t][i] += mlp[i];
            }
        }

        return x;
    }

    /// <summary>Half-split rotary at <paramref name="position"/>: pairs (x[i], x[i + d/2]) of every head turn by <c>position / θ^(2i/d)</c>.</summary>
    private static double[] Rotate(double[] heads, int position)
    {
        const int half = DimHead / 2;
        for (int start = 0; start < heads.Length; start += DimHead)
        {
            for (int i = 0; i < half; i++)
            {
                double angle = position / Math.Pow(RotaryBase, 2.0 * i / DimHead);
                (double a, double b) = (heads[start + i], heads[start + half + i]);
                heads[start + i] = a * Math.Cos(angle) - b * Math.Sin(angle);
                heads[start + half + i] = b * Math.Cos(angle) + a * Math.Sin(angle);
            }
        }

        return heads;
    }
}
