using System;
using System.Collections.Generic;
using System.Linq;
using Attend;

namespace Attend.Tests.Family;

/// <summary>An <c>[Attention]</c> declaration's options and weights, as the float64 reference reads them.</summary>
internal sealed class ScoreSetup
{
    public AttentionScore Score;
    public int QuerySize, KeySize, ValueSize, Hidden, PositionHidden;
    public AttentionSelection Selection;
    public int TopK;
    public LocalAttention Local;
    public int Window;

    public float[] General = Array.Empty<float>();      // W_a.weight [Q, K]
    public float[] QueryWeight = Array.Empty<float>();  // W_q.weight [H, Q]
    public float[] KeyWeight = Array.Empty<float>();    // W_k.weight [H, K]
    public float[] ScoreVector = Array.Empty<float>();  // w_v.weight / mlp.2.weight [H]
    public float[] MlpWeight = Array.Empty<float>();    // mlp.0.weight [H, Q + K]
    public float[] MlpBias = Array.Empty<float>();      // mlp.0.bias [H]
    public float MlpOutputBias;                         // mlp.2.bias [1]
    public float[] PositionWeight = Array.Empty<float>(); // W_p.weight [PH, Q]
    public float[] PositionVector = Array.Empty<float>(); // v_p.weight [PH]

    /// <summary>Random weights for every tensor the declaration loads, under d2l's names.</summary>
    public WeightDictionary RandomWeights(Random random)
    {
        var weights = new WeightDictionary();
        int q = QuerySize, k = KeySize, h = Hidden;
        switch (Score)
        {
            case AttentionScore.General:
                weights.Add("W_a.weight", General = FamilyTestData.Random(random, q * k, 0.5), q, k);
                break;
            case AttentionScore.Additive:
                weights.Add("W_q.weight", QueryWeight = FamilyTestData.Random(random, h * q, 0.7), h, q);
                weights.Add("W_k.weight", KeyWeight = FamilyTestData.Random(random, h * k, 0.7), h, k);
                weights.Add("w_v.weight", ScoreVector = FamilyTestData.Random(random, h, 1.5), 1, h);
                break;
            case AttentionScore.Mlp:
                weights.Add("mlp.0.weight", MlpWeight = FamilyTestData.Random(random, h * (q + k), 0.7), h, q + k);
                weights.Add("mlp.0.bias", MlpBias = FamilyTestData.Random(random, h, 0.5), h);
                weights.Add("mlp.2.weight", ScoreVector = FamilyTestData.Random(random, h, 1.0), 1, h);
                float[] bias = FamilyTestData.Random(random, 1, 1);
                MlpOutputBias = bias[0];
                weights.Add("mlp.2.bias", bias, 1);
                break;
        }

        if (Local == LocalAttention.Predictive)
        {
            weights.Add("W_p.weight", PositionWeight = FamilyTestData.Random(random, PositionHidden * q, 0.8), PositionHidden, q);
            weights.Add("v_p.weight", PositionVector = FamilyTestData.Random(random, PositionHidden, 1.5), 1, PositionHidden);
        }

        return weights;
    }
}

/// <summary>
/// Float64 restatement of score attention written from the formulas (Luong et al. 2015, Bahdanau et al. 2015, d2l.ai):
/// every pair scored directly from the raw rows, masks as d2l's valid lengths / PyTorch's key padding, selection by
/// sorting (score descending, index ascending), local windows and local-p's Gaussian.
/// </summary>
internal static class ScoreAttentionReference
{
    public static (double[] Y, double[] Weights, double[] Scores) Run(ScoreSetup s, float[] queries, float[] keys, float[] values,
        int batch, int queryLength, int keyLength, int[]? validLengths, bool[]? keyPadding, int[]? positions)
    {
        var y = new double[batch * queryLength * s.ValueSize];
        var weights = new double[batch * queryLength * keyLength];
        var scores = new double[batch * queryLength * keyLength];
        for (int b = 0; b < batch; b++)
        {
            for (int i = 0; i < queryLength; i++)
            {
                int r = b * queryLength + i;
                ReadOnlySpan<float> q = queries.AsSpan(r * s.QuerySize, s.QuerySize);
                int visible = validLengths is null ? keyLength : validLengths[validLengths.Length == batch ? b : r];
                double lo = 0, hi = visible - 1, centre = 0;
                if (s.Local == LocalAttention.Monotonic)
                {
                    centre = positions is null ? i : positions[r];
                    lo = Math.Max(lo, centre - s.Window);
                    hi = Math.Min(hi, centre + s.Window);
                }
                else if (s.Local == LocalAttention.Predictive)
                {
                    double hidden = 0;
                    for (int h = 0; h < s.PositionHidden; h++) hidden += s.PositionVector[h] * Math.Tanh(Dot(s.PositionWeight.AsSpan(h * s.QuerySize, s.QuerySize), q));
                    centre = visible / (1 + Math.Exp(-hidden));
                    lo = Math.Max(lo, Math.Ceiling(centre - s.Window));
                    hi = Math.Min(hi, Math.Floor(centre + s.Window));
                }

                var seen = new List<int>();
                for (int j = 0; j < keyLength; j++)
                {
                    bool inside = j >= lo && j <= hi && !(keyPadding?[b * keyLength + j] ?? false);
                    double score = Score(s, q, keys.AsSpan((b * keyLength + j) * s.KeySize, s.KeySize));
                    scores[r * keyLength + j] = inside ? score : double.NegativeInfinity;
                    if (inside) seen.Add(j);
                }

                if (seen.Count == 0) continue;
                List<int> kept = s.Selection switch
                {
                    AttentionSelection.Hard => Ranked(seen, scores, r * keyLength).Take(1).ToList(),
                    AttentionSelection.TopK => Ranked(seen, scores, r * keyLength).Take(s.TopK).ToList(),
                    _ => seen,
                };
                double max = kept.Max(j => scores[r * keyLength + j]);
                double sum = kept.Sum(j => Math.Exp(scores[r * keyLength + j] - max));
                foreach (int j in kept)
                {
                    double weight = s.Selection == AttentionSelection.Hard ? 1 : Math.Exp(scores[r * keyLength + j] - max) / sum;
                    if (s.Local == LocalAttention.Predictive)
                    {
                        double sigma = s.Window / 2.0;
                        weight *= Math.Exp(-(j - centre) * (j - centre) / (2 * sigma * sigma));
                    }

                    weights[r * keyLength + j] = weight;
                    for (int d = 0; d < s.ValueSize; d++) y[r * s.ValueSize + d] += weight * values[(b * keyLength + j) * s.ValueSize + d];
                }
            }
        }

        return (y, weights, scores);
    }

    /// <summary>Keys by score, highest first; equal scores keep the lower index first.</summary>
    private static IEnumerable<int> Ranked(List<int> seen, double[] scores, int rowStart) =>
        seen.OrderByDescending(j => scores[rowStart + j]).ThenBy(j => j);

    public static double Score(ScoreSetup s, ReadOnlySpan<float> q, ReadOnlySpan<float> k)
    {
        switch (s.Score)
        {
            case AttentionScore.Dot:
                return Dot(q, k);
            case AttentionScore.ScaledDot:
                return Dot(q, k) / Math.Sqrt(s.QuerySize);
            case AttentionScore.Cosine:
                return Dot(q, k) / (Math.Max(Math.Sqrt(Dot(q, q)), 1e-8) * Math.Max(Math.Sqrt(Dot(k, k)), 1e-8));
            case AttentionScore.General:
                {
                    double sum = 0;
                    for (int a = 0; a < s.QuerySize; a++) sum += q[a] * Dot(s.General.AsSpan(a * s.KeySize, s.KeySize), k);
                    return sum;
                }

            case AttentionScore.Additive:
                {
                    double sum = 0;
                    for (int h = 0; h < s.Hidden; h++)
                    {
                        sum += s.ScoreVector[h] * Math.Tanh(Dot(s.QueryWeight.AsSpan(h * s.QuerySize, s.QuerySize), q) + Dot(s.KeyWeight.AsSpan(h * s.KeySize, s.KeySize), k));
                    }

                    return sum;
                }

            default:
                {
                    int width = s.QuerySize + s.KeySize;
                    double sum = s.MlpOutputBias;
                    for (int h = 0; h < s.Hidden; h++)
                    {
                        double pre = s.MlpBias[h] + Dot(s.MlpWeight.AsSpan(h * width, s.QuerySize), q) + Dot(s.MlpWeight.AsSpan(h * width + s.QuerySize, s.KeySize), k);
                        sum += s.ScoreVector[h] * Math.Max(pre, 0);
                    }

                    return sum;
                }
        }
    }

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += (double)a[i] * b[i];
        return sum;
    }
}
