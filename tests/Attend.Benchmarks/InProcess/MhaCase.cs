using System;
using System.Collections.Generic;
using System.Numerics.Tensors;
using Attend;

namespace Attend.Benchmarks.InProcess;

/// <summary>
/// One row of the in-process table: the weights (PyTorch <c>nn.MultiheadAttention</c> layout), the token sequence and
/// the float64 reference rows every engine's output is checked against.
/// </summary>
/// <remarks>
/// For the decode row the sequence holds the cached tokens and the new one: engines prefill (or are handed the
/// float64 keys/values of) the first <c>Length − 1</c> tokens and time the last token alone.
/// </remarks>
public sealed class MhaCase
{
    private double[] _projected = []; // every token's Q, K, V in float64, computed once per case

    private MhaCase(Shape row, WeightDictionary weights, float[] tokens)
    {
        Row = row;
        Weights = weights;
        Tokens = tokens;
        int e = row.ModelDim;
        InProjWeight = Read(weights, "in_proj_weight", 3 * e * e);
        InProjBias = Read(weights, "in_proj_bias", 3 * e);
        OutProjWeight = Read(weights, "out_proj.weight", e * e);
        OutProjBias = Read(weights, "out_proj.bias", e);
    }

    public Shape Row { get; }

    public int ModelDim => Row.ModelDim;

    public int Heads => Row.Heads;

    public int DimHead => Row.ModelDim / Row.Heads;

    /// <summary>Tokens in <see cref="Tokens"/>: the query length, or for decode the cached tokens and the new one.</summary>
    public int Length => Row.KeyLength;

    /// <summary>Causal mask (always for decode: the new token sees every cached one).</summary>
    public bool Causal => Row.Causal || Row.IsDecode;

    public WeightDictionary Weights { get; }

    /// <summary><c>[Length, E]</c>.</summary>
    public float[] Tokens { get; }

    /// <summary><c>[3E, E]</c>.</summary>
    public float[] InProjWeight { get; }

    public float[] InProjBias { get; }

    /// <summary><c>[E, E]</c>.</summary>
    public float[] OutProjWeight { get; }

    public float[] OutProjBias { get; }

    /// <summary>The timed input: all tokens, or for decode the last one.</summary>
    public ReadOnlySpan<float> TimedInput => Row.IsDecode ? Tokens.AsSpan((Length - 1) * ModelDim) : Tokens;

    /// <summary>Rows of the engines' output: <c>[OutputRows, E]</c>.</summary>
    public int OutputRows => Row.QueryLength;

    /// <summary>Seeded weights and tokens as <see cref="Workload.RandomCase"/> draws them (uniform ±1/√E; tokens in [−1, 1]).</summary>
    public static MhaCase Create(Shape row)
    {
        Shape sequence = row.IsDecode ? row with { QueryLength = row.KeyLength, Causal = true } : row;
        (WeightDictionary weights, float[] tokens, _, _) = Workload.RandomCase(sequence);
        return new MhaCase(row, weights, tokens);
    }

    /// <summary>
    /// The float64 reference for the output rows that are checked: every row up to 512 tokens, every 16th row and the
    /// last one above (the check costs O(rows · Length · E) in double; the sampled rows still span every key tile and
    /// the causal diagonal), and for decode the new token's row.
    /// </summary>
    public IReadOnlyList<(int OutputRow, double[] Values)> Reference()
    {
        var rows = new List<int>();
        if (Row.IsDecode)
        {
            rows.Add(Length - 1);
        }
        else
        {
            for (int i = 0; i < Length; i++)
            {
                if (Length <= 512 || i % 16 == 0 || i == Length - 1) rows.Add(i);
            }
        }

        int e = ModelDim;
        double[] keys = Project(e, e), values = Project(2 * e, e);
        var result = new List<(int, double[])>(rows.Count);
        var scores = new double[Length];
        var context = new double[e];
        var query = new double[e];
        foreach (int i in rows)
        {
            ProjectRow(i, 0, e, query);
            for (int h = 0; h < Heads; h++)
            {
                int visible = Causal ? i + 1 : Length;
                ReadOnlySpan<double> q = query.AsSpan(h * DimHead, DimHead);
                double max = double.NegativeInfinity;
                for (int j = 0; j < visible; j++)
                {
                    scores[j] = TensorPrimitives.Dot(q, keys.AsSpan(j * e + h * DimHead, DimHead)) / Math.Sqrt(DimHead);
                    max = Math.Max(max, scores[j]);
                }

                double sum = 0;
                for (int j = 0; j < visible; j++)
                {
                    scores[j] = Math.Exp(scores[j] - max);
                    sum += scores[j];
                }

                Span<double> c = context.AsSpan(h * DimHead, DimHead);
                c.Clear();
                for (int j = 0; j < visible; j++)
                {
                    TensorPrimitives.MultiplyAdd(values.AsSpan(j * e + h * DimHead, DimHead), scores[j] / sum, c, c);
                }
            }

            var output = new double[e];
            for (int o = 0; o < e; o++)
            {
                output[o] = OutProjBias[o] + DotWithFloats(context, OutProjWeight.AsSpan(o * e, e));
            }

            result.Add((Row.IsDecode ? 0 : i, output));
        }

        return result;
    }

    /// <summary>Keys and values in float64 as <c>[1, H, count, DimHead]</c> floats: the cache handed to the peers for decode.</summary>
    public (float[] Keys, float[] Values) HeadMajorCache(int count)
    {
        int e = ModelDim;
        double[] keys = Project(e, e), values = Project(2 * e, e);
        var k = new float[count * e];
        var v = new float[count * e];
        for (int h = 0; h < Heads; h++)
        {
            for (int j = 0; j < count; j++)
            {
                for (int d = 0; d < DimHead; d++)
                {
                    k[(h * count + j) * DimHead + d] = (float)keys[j * e + h * DimHead + d];
                    v[(h * count + j) * DimHead + d] = (float)values[j * e + h * DimHead + d];
                }
            }
        }

        return (k, v);
    }

    /// <summary>The largest |engine − reference| over the checked rows of <paramref name="output"/> (<c>[OutputRows, E]</c>).</summary>
    public static double MaxError(IReadOnlyList<(int OutputRow, double[] Values)> reference, ReadOnlySpan<float> output)
    {
        double worst = 0;
        foreach ((int row, double[] values) in reference)
        {
            ReadOnlySpan<float> actual = output.Slice(row * values.Length, values.Length);
            for (int i = 0; i < values.Length; i++)
            {
                double error = Math.Abs(actual[i] - values[i]);
                worst = double.IsNaN(error) ? double.PositiveInfinity : Math.Max(worst, error);
            }
        }

        return worst;
    }

    private static float[] Read(WeightDictionary weights, string name, int length)
    {
        var values = new float[length];
        weights.ReadFloat32(name, values);
        return values;
    }

    /// <summary>Columns [first, first + count) of the input projection for every token, memoized per case.</summary>
    private double[] Project(int first, int count)
    {
        int e = ModelDim;
        if (_projected.Length == 0)
        {
            _projected = new double[Length * 3 * e];
            var row = new double[3 * e];
            for (int t = 0; t < Length; t++)
            {
                ProjectRow(t, 0, 3 * e, row);
                row.CopyTo(_projected.AsSpan(t * 3 * e));
            }
        }

        var result = new double[Length * count];
        for (int t = 0; t < Length; t++)
        {
            _projected.AsSpan(t * 3 * e + first, count).CopyTo(result.AsSpan(t * count));
        }

        return result;
    }

    private void ProjectRow(int token, int firstColumn, int count, Span<double> destination)
    {
        int e = ModelDim;
        var x = new double[e];
        TensorPrimitives.ConvertChecked<float, double>(Tokens.AsSpan(token * e, e), x);
        for (int o = 0; o < count; o++)
        {
            int column = firstColumn + o;
            destination[o] = InProjBias[column] + DotWithFloats(x, InProjWeight.AsSpan(column * e, e));
        }
    }

    private static double DotWithFloats(ReadOnlySpan<double> x, ReadOnlySpan<float> w)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++) sum += x[i] * w[i];
        return sum;
    }
}
