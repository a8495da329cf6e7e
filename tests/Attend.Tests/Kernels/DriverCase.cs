using System;
using Attend.Kernels;

namespace Attend.Tests.Kernels;

/// <summary>Strides of a 4-D strided view, in elements.</summary>
internal readonly record struct Strides(int Batch, int Head, int Row)
{
    /// <summary>Dense <c>[B, H, S, W]</c>.</summary>
    public static Strides HeadMajor(int heads, int length, int width) => new(heads * length * width, length * width, width);

    /// <summary>Dense <c>[B, S, H·W]</c>.</summary>
    public static Strides RowMajor(int heads, int length, int width) => new(length * heads * width, width, heads * width);

    public int Extent(int batch, int heads, int rows, int width) =>
        batch == 0 || heads == 0 || rows == 0 ? 0 : (batch - 1) * Batch + (heads - 1) * Head + (rows - 1) * Row + width;
}

/// <summary>The driver's outputs for one case: the whole output buffer (gaps included) and the optional outputs.</summary>
internal sealed record DriverResult(float[] Output, float[]? Probabilities, float[]? Scores);

/// <summary>
/// One attention problem as plain arrays, runnable through <see cref="AttentionDriver"/> with
/// <see cref="ReferenceHeadKernels"/> and through a naive float64 reference of the same semantics.
/// </summary>
internal sealed record DriverCase
{
    /// <summary>Value written to output elements the strides do not address; they must survive a run.</summary>
    public const float Untouched = 12345f;

    public int Batch { get; init; }
    public int Heads { get; init; }
    public int KvHeads { get; init; }
    public int QueryLength { get; init; }
    public int KeyLength { get; init; }
    public int DimHead { get; init; }
    public int ValueDimHead { get; init; }
    public required float[] Query { get; init; }
    public required float[] Key { get; init; }
    public required float[] Value { get; init; }
    public Strides QueryStrides { get; init; }
    public Strides KeyStrides { get; init; }
    public Strides ValueStrides { get; init; }
    public Strides OutputStrides { get; init; }
    public float Scale { get; init; } = 0.35f;
    public float Softcap { get; init; }
    public bool Causal { get; init; }
    public int CausalOffset { get; init; }
    public long[]? CausalOffsets { get; init; }
    public bool[]? KeyPadding { get; init; }
    public long[]? ValidLengths { get; init; }
    public float[]? AdditiveMask { get; init; }
    public bool[]? BooleanMask { get; init; }
    public Strides MaskStrides { get; init; }
    public int MaskLength { get; init; }
    public bool WantProbabilities { get; init; }
    public bool WantScores { get; init; }
    public QkMatMulOutputMode ScoresMode { get; init; }
    public KernelPath Path { get; init; } = KernelPath.Scalar;

    private int ResolvedKvHeads => KvHeads == 0 ? Heads : KvHeads;

    /// <summary>A dense <c>[B, H, S, D]</c> case with random Q, K and V in [-1, 1].</summary>
    public static DriverCase Dense(int seed, int batch, int heads, int kvHeads, int queryLength, int keyLength, int dimHead, int valueDimHead)
    {
        var random = new Random(seed);
        return new DriverCase
        {
            Batch = batch,
            Heads = heads,
            KvHeads = kvHeads,
            QueryLength = queryLength,
            KeyLength = keyLength,
            DimHead = dimHead,
            ValueDimHead = valueDimHead,
            Query = RandomArray(random, batch * heads * queryLength * dimHead),
            Key = RandomArray(random, batch * kvHeads * keyLength * dimHead),
            Value = RandomArray(random, batch * kvHeads * keyLength * valueDimHead),
            QueryStrides = Strides.HeadMajor(heads, queryLength, dimHead),
            KeyStrides = Strides.HeadMajor(kvHeads, keyLength, dimHead),
            ValueStrides = Strides.HeadMajor(kvHeads, keyLength, valueDimHead),
            OutputStrides = Strides.HeadMajor(heads, queryLength, valueDimHead),
        };
    }

    public static float[] RandomArray(Random random, int length)
    {
        var values = new float[length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1);
        }

        return values;
    }

    private int OutputLength => OutputStrides.Extent(Batch, Heads, QueryLength, ValueDimHead);

    private int ScoreLength => Batch * Heads * QueryLength * KeyLength;

    /// <summary>The problem over the given buffers, as a caller of the driver would build it.</summary>
    public AttentionProblem Problem(float[] output, float[]? probabilities, float[]? scores, int maxDegreeOfParallelism) => new()
    {
        Batch = Batch,
        Heads = Heads,
        KvHeads = KvHeads,
        QueryLength = QueryLength,
        KeyLength = KeyLength,
        Query = Query,
        QueryBatchStride = QueryStrides.Batch,
        QueryHeadStride = QueryStrides.Head,
        QueryRowStride = QueryStrides.Row,
        Key = Key,
        KeyBatchStride = KeyStrides.Batch,
        KeyHeadStride = KeyStrides.Head,
        KeyRowStride = KeyStrides.Row,
        Value = Value,
        ValueBatchStride = ValueStrides.Batch,
        ValueHeadStride = ValueStrides.Head,
        ValueRowStride = ValueStrides.Row,
        Output = output,
        OutputBatchStride = OutputStrides.Batch,
        OutputHeadStride = OutputStrides.Head,
        OutputRowStride = OutputStrides.Row,
        Scale = Scale,
        Softcap = Softcap,
        Causal = Causal,
        CausalOffset = CausalOffset,
        CausalOffsets = CausalOffsets,
        KeyPaddingMask = KeyPadding,
        KeyValidLengths = ValidLengths,
        AdditiveMask = AdditiveMask,
        BooleanMask = BooleanMask,
        MaskBatchStride = MaskStrides.Batch,
        MaskHeadStride = MaskStrides.Head,
        MaskRowStride = MaskStrides.Row,
        MaskLength = MaskLength,
        Probabilities = probabilities,
        Scores = scores,
        ScoresMode = ScoresMode,
        Path = Path,
        MaxDegreeOfParallelism = maxDegreeOfParallelism,
    };

    /// <summary>Runs the driver over fresh buffers pre-filled with <see cref="Untouched"/> / NaN.</summary>
    public DriverResult Run(int maxDegreeOfParallelism = 1)
    {
        var output = new float[OutputLength];
        Array.Fill(output, Untouched);
        float[]? probabilities = WantProbabilities ? Filled(ScoreLength, float.NaN) : null;
        float[]? scores = WantScores ? Filled(ScoreLength, float.NaN) : null;
        ReferenceHeadKernels.Use(DimHead, ValueDimHead);
        AttentionProblem problem = Problem(output, probabilities, scores, maxDegreeOfParallelism);
        AttentionDriver.Run<ReferenceHeadKernels>(in problem);
        return new DriverResult(output, probabilities, scores);
    }

    private static float[] Filled(int length, float value)
    {
        var values = new float[length];
        Array.Fill(values, value);
        return values;
    }

    /// <summary>
    /// The same semantics computed naively in float64: every key scored, masks as booleans, softmax over the unmasked
    /// keys, a fully masked row all zeros. Returns outputs in the case's own output layout (gaps hold
    /// <see cref="Untouched"/>), probabilities and scores dense <c>[B, H, Sq, T]</c>.
    /// </summary>
    public (double[] Output, double[] Probabilities, double[] Scores) Reference()
    {
        var output = new double[OutputLength];
        Array.Fill(output, Untouched);
        var probabilities = new double[ScoreLength];
        var scores = new double[ScoreLength];
        int group = Heads / ResolvedKvHeads;
        int keys = KeyLength;
        var raw = new double[keys];
        var capped = new double[keys];
        var biased = new double[keys];
        for (int b = 0; b < Batch; b++)
        {
            for (int h = 0; h < Heads; h++)
            {
                int kvHead = h / group;
                for (int i = 0; i < QueryLength; i++)
                {
                    int queryBase = b * QueryStrides.Batch + h * QueryStrides.Head + i * QueryStrides.Row;
                    for (int j = 0; j < keys; j++)
                    {
                        int keyBase = b * KeyStrides.Batch + kvHead * KeyStrides.Head + j * KeyStrides.Row;
                        double dot = 0;
                        for (int d = 0; d < DimHead; d++)
                        {
                            dot += (double)Query[queryBase + d] * Key[keyBase + d];
                        }

                        raw[j] = Scale * dot;
                        capped[j] = Softcap > 0 ? Softcap * Math.Tanh(raw[j] / Softcap) : raw[j];
                        biased[j] = IsMasked(b, h, i, j, out double bias) ? double.NegativeInfinity : capped[j] + bias;
                    }

                    double max = double.NegativeInfinity;
                    for (int j = 0; j < keys; j++)
                    {
                        max = Math.Max(max, biased[j]);
                    }

                    int scoreBase = ((b * Heads + h) * QueryLength + i) * keys;
                    double sum = 0;
                    for (int j = 0; j < keys; j++)
                    {
                        double weight = double.IsNegativeInfinity(max) ? 0 : Math.Exp(biased[j] - max);
                        probabilities[scoreBase + j] = weight;
                        sum += weight;
                    }

                    for (int j = 0; j < keys; j++)
                    {
                        if (sum > 0)
                        {
                            probabilities[scoreBase + j] /= sum;
                        }

                        scores[scoreBase + j] = ScoresMode switch
                        {
                            QkMatMulOutputMode.RawScores => raw[j],
                            QkMatMulOutputMode.AfterSoftcap => capped[j],
                            QkMatMulOutputMode.AfterMask => biased[j],
                            _ => probabilities[scoreBase + j],
                        };
                    }

                    int outputBase = b * OutputStrides.Batch + h * OutputStrides.Head + i * OutputStrides.Row;
                    for (int d = 0; d < ValueDimHead; d++)
                    {
                        double acc = 0;
                        for (int j = 0; j < keys; j++)
                        {
                            acc += probabilities[scoreBase + j] * Value[b * ValueStrides.Batch + kvHead * ValueStrides.Head + j * ValueStrides.Row + d];
                        }

                        output[outputBase + d] = acc;
                    }
                }
            }
        }

        return (output, probabilities, scores);
    }

    private bool IsMasked(int b, int h, int i, int j, out double bias)
    {
        bias = 0;
        long offset = CausalOffsets?[b] ?? CausalOffset;
        if (Causal && j > i + offset)
        {
            return true;
        }

        if (ValidLengths != null && j >= ValidLengths[b])
        {
            return true;
        }

        if (KeyPadding != null && KeyPadding[b * KeyLength + j])
        {
            return true;
        }

        if (AdditiveMask == null && BooleanMask == null)
        {
            return false;
        }

        if (j >= MaskLength)
        {
            return true;
        }

        int at = b * MaskStrides.Batch + h * MaskStrides.Head + i * MaskStrides.Row + j;
        if (BooleanMask != null)
        {
            return !BooleanMask[at];
        }

        bias = AdditiveMask![at];
        return false;
    }
}
