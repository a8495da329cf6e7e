using System;
using Attend.Kernels;

namespace Attend.Samples.TinyDecoder;

/// <summary>
/// The transformer stack train.py trains, as one attribute: decoder-only (causal), pre-norm, rotary positions,
/// 4 query heads over 2 key/value heads, GELU, a final norm. Causal makes the generator add a KV cache and decoding.
/// </summary>
[TransformerEncoder(ModelDim = 64, Heads = 4, KvHeads = 2, MlpDim = 128, Depth = 2, Mask = AttentionMask.Causal, Norm = NormPlacement.Pre,
    Activation = FeedForwardActivation.Gelu, Positions = PositionEncoding.RotaryHalf, FinalNorm = true)]
public sealed partial class SortingDecoder;

/// <summary>
/// The whole language model around <see cref="SortingDecoder"/>: token embedding, the stack, and the output head, with
/// generation by KV-cache decoding (one token per sequence per step) or by recomputing the prefix every step.
/// </summary>
public sealed class SortingModel
{
    /// <summary>Tokens 0-9 are digits.</summary>
    public const int Digits = 8;

    /// <summary>The token between prompt and answer ('>').</summary>
    public const int Separator = 10;

    /// <summary>Digits 0-9 and the separator.</summary>
    public const int Vocabulary = 11;

    /// <summary>Prompt digits and the separator: what the cache holds before the first answer token.</summary>
    public const int PromptLength = Digits + 1;

    private const int Width = SortingDecoder.ModelDim;

    private readonly SortingDecoder _decoder = new();
    private readonly float[] _embedding = new float[Vocabulary * Width];
    private readonly float[] _packedHead = new float[LinearKernels.PackedLength(Width, Vocabulary)];

    /// <summary>Loads <c>tok_emb.weight</c>, the stack under <c>blocks.</c>, and <c>lm_head.weight</c>.</summary>
    /// <param name="weights">The checkpoint.</param>
    /// <param name="precision">How the stack keeps its projection weights (the small embedding and head stay float32).</param>
    public SortingModel(IWeightSource weights, WeightPrecision precision = WeightPrecision.Float32)
    {
        _decoder.WeightPrecision = precision;
        WeightLoading.Read(weights, "", "tok_emb.weight", Vocabulary, Width).CopyTo(_embedding, 0);
        LinearKernels.Pack(WeightLoading.Read(weights, "", "lm_head.weight", Vocabulary, Width), Width, Vocabulary, _packedHead);
        _decoder.LoadWeights(weights, "blocks.");
    }

    /// <summary>The instruction-set path of every kernel.</summary>
    public KernelPath Path
    {
        get => _decoder.Path;
        set => _decoder.Path = value;
    }

    /// <summary>Threads the stack's kernels may use (the machine's processor count unless set).</summary>
    public int MaxDegreeOfParallelism
    {
        get => _decoder.MaxDegreeOfParallelism;
        set => _decoder.MaxDegreeOfParallelism = value;
    }

    /// <summary>
    /// Writes <c>answers.Length / batch</c> answer tokens per prompt (all <see cref="Digits"/> of them, or the first few) into
    /// <paramref name="answers"/> <c>[batch, tokens]</c>, decoding with <paramref name="cache"/>: the prompt and separator are
    /// prefilled at once, then each step runs one token per sequence.
    /// </summary>
    /// <param name="prompts">The digits to sort, <c>[batch, Digits]</c>.</param>
    /// <param name="batch">Number of prompts.</param>
    /// <param name="answers">Receives <c>[batch, tokens]</c>, 1 ≤ tokens ≤ <see cref="Digits"/>.</param>
    /// <param name="cache">A cache from <see cref="CreateCache"/> for at least <paramref name="batch"/> sequences; it is reset first.</param>
    /// <param name="sampler">Greedy or sampling.</param>
    /// <param name="logits">Empty, or receives every step's logits <c>[batch, tokens, Vocabulary]</c> (what the sampler chose from).</param>
    public void Generate(ReadOnlySpan<byte> prompts, int batch, Span<byte> answers, KvCache cache, Sampler sampler, Span<float> logits = default)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(prompts.Length, batch * Digits);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        int tokens = answers.Length / batch;
        if (tokens is < 1 or > Digits || answers.Length != batch * tokens)
        {
            throw new ArgumentException($"Expected [batch, tokens] answers with 1 ≤ tokens ≤ {Digits}, got {answers.Length} for batch {batch}.", nameof(answers));
        }

        if (!logits.IsEmpty) ArgumentOutOfRangeException.ThrowIfNotEqual(logits.Length, batch * tokens * Vocabulary);
        ArgumentOutOfRangeException.ThrowIfNotEqual(cache.Batch, batch);
        cache.Reset();
        float[] input = new float[batch * PromptLength * Width];
        float[] hidden = new float[input.Length];
        float[] last = new float[batch * Width];
        float[] stepLogits = new float[batch * Vocabulary];
        Embed(WithSeparator(prompts, batch), input);
        _decoder.Prefill(input, hidden, PromptLength, cache);
        for (int b = 0; b < batch; b++) hidden.AsSpan((b * PromptLength + PromptLength - 1) * Width, Width).CopyTo(last.AsSpan(b * Width));
        float[] token = new float[batch * Width];
        byte[] chosen = new byte[batch];
        for (int step = 0; step < tokens; step++)
        {
            LinearKernels.Forward(Path, last, batch, Width, _packedHead, default, Width, Vocabulary, stepLogits, Vocabulary);
            for (int b = 0; b < batch; b++)
            {
                ReadOnlySpan<float> row = stepLogits.AsSpan(b * Vocabulary, Vocabulary);
                if (!logits.IsEmpty) row.CopyTo(logits.Slice((b * tokens + step) * Vocabulary));
                answers[b * tokens + step] = chosen[b] = sampler.Choose(row);
            }

            if (step == tokens - 1) break;
            Embed(chosen, token);
            _decoder.Forward(token, last, cache);
        }
    }

    /// <summary>The same generation without a cache: every step runs the whole prefix again and reads its last row.</summary>
    public void GenerateByRecomputing(ReadOnlySpan<byte> prompts, int batch, Span<byte> answers, Sampler sampler)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(prompts.Length, batch * Digits);
        ArgumentOutOfRangeException.ThrowIfNotEqual(answers.Length, batch * Digits);
        int capacity = PromptLength + Digits - 1;
        byte[] sequence = new byte[batch * capacity];
        byte[] withSeparator = WithSeparator(prompts, batch);
        for (int b = 0; b < batch; b++) withSeparator.AsSpan(b * PromptLength, PromptLength).CopyTo(sequence.AsSpan(b * capacity));
        float[] logits = new float[batch * Vocabulary];
        float[] last = new float[batch * Width];
        for (int step = 0; step < Digits; step++)
        {
            int length = PromptLength + step;
            byte[] tokens = new byte[batch * length];
            for (int b = 0; b < batch; b++) sequence.AsSpan(b * capacity, length).CopyTo(tokens.AsSpan(b * length));
            float[] input = new float[batch * length * Width];
            Embed(tokens, input);
            _decoder.Forward(input, input, batch, length);
            for (int b = 0; b < batch; b++) input.AsSpan((b * length + length - 1) * Width, Width).CopyTo(last.AsSpan(b * Width));
            LinearKernels.Forward(Path, last, batch, Width, _packedHead, default, Width, Vocabulary, logits, Vocabulary);
            for (int b = 0; b < batch; b++)
            {
                byte next = sampler.Choose(logits.AsSpan(b * Vocabulary, Vocabulary));
                answers[b * Digits + step] = next;
                if (length < capacity) sequence[b * capacity + length] = next;
            }
        }
    }

    /// <summary>A cache for <paramref name="batch"/> sequences of prompt and answer.</summary>
    /// <param name="batch">Sequences decoded together.</param>
    /// <param name="precision">How the cache stores keys and values: <see cref="KvCachePrecision.BFloat16"/> halves the bytes a step reads.</param>
    public KvCache CreateCache(int batch, KvCachePrecision precision = KvCachePrecision.Float32) => _decoder.CreateKvCache(batch, PromptLength + Digits, precision);

    /// <summary>Each prompt's digits followed by the separator: <c>[batch, PromptLength]</c> tokens.</summary>
    private static byte[] WithSeparator(ReadOnlySpan<byte> prompts, int batch)
    {
        byte[] tokens = new byte[batch * PromptLength];
        for (int b = 0; b < batch; b++)
        {
            prompts.Slice(b * Digits, Digits).CopyTo(tokens.AsSpan(b * PromptLength));
            tokens[b * PromptLength + Digits] = Separator;
        }

        return tokens;
    }

    private void Embed(ReadOnlySpan<byte> tokens, Span<float> output)
    {
        for (int i = 0; i < tokens.Length; i++) _embedding.AsSpan(tokens[i] * Width, Width).CopyTo(output.Slice(i * Width, Width));
    }
}

/// <summary>Picks the next token from logits: greedy, or temperature and top-k sampling from a seeded generator.</summary>
public sealed class Sampler
{
    private readonly Random? _random;
    private readonly float _temperature;
    private readonly int _topK;

    private Sampler(Random? random, float temperature, int topK)
    {
        _random = random;
        _temperature = temperature;
        _topK = topK;
    }

    /// <summary>Always the most likely token (ties to the lowest).</summary>
    public static Sampler Greedy { get; } = new(null, 0, 0);

    /// <summary>Samples among the <paramref name="topK"/> most likely tokens from <c>softmax(logits / temperature)</c>.</summary>
    public static Sampler TopK(float temperature, int topK, int seed) => new(new Random(seed), temperature, topK);

    public byte Choose(ReadOnlySpan<float> logits)
    {
        if (_random is null)
        {
            int best = 0;
            for (int i = 1; i < logits.Length; i++) if (logits[i] > logits[best]) best = i;
            return (byte)best;
        }

        // The k largest logits, then a softmax over them at the temperature, then one draw.
        Span<int> order = stackalloc int[logits.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        for (int i = 0; i < _topK; i++)
        {
            for (int j = i + 1; j < order.Length; j++) if (logits[order[j]] > logits[order[i]]) (order[i], order[j]) = (order[j], order[i]);
        }

        Span<double> weights = stackalloc double[_topK];
        double total = 0;
        for (int i = 0; i < _topK; i++) total += weights[i] = Math.Exp((logits[order[i]] - logits[order[0]]) / _temperature);
        double draw = _random.NextDouble() * total;
        for (int i = 0; i < _topK; i++)
        {
            draw -= weights[i];
            if (draw <= 0) return (byte)order[i];
        }

        return (byte)order[_topK - 1];
    }
}
