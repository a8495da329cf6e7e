using System;
using System.Buffers;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Attend.Text;
using Microsoft.Extensions.AI;

namespace Attend.Extensions.AI;

/// <summary>
/// An <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> over a declared sentence-embedding model (any
/// <see cref="BertModelAttribute"/> class) and its tokenizer: what Semantic Kernel, kernel memory and other
/// Microsoft.Extensions.AI consumers call. Runs in process on the calling thread (the model's own threads aside);
/// safe to call from many threads at once.
/// </summary>
/// <example>
/// <code>
/// var model = new MiniLM();
/// model.LoadWeights(OnnxWeights.Open("model.onnx"));
/// var tokenizer = BertTokenizer.FromVocabulary("vocab.txt", new BertTokenizerOptions { MaxLength = 256 });
/// IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt; generator = new SentenceEmbeddingGenerator(model, tokenizer);
/// var embeddings = await generator.GenerateAsync(["The weather is lovely today.", "It's so sunny outside!"]);
/// </code>
/// </example>
public sealed class SentenceEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private const string ProviderName = "Attend";

    private readonly ISentenceEmbeddingModel _model;
    private readonly BertTokenizer _tokenizer;
    private readonly int _batchSize;
    private readonly string? _modelId;
    private readonly EmbeddingGeneratorMetadata _metadata;

    /// <summary>Creates a generator over <paramref name="model"/>, whose weights are already loaded.</summary>
    /// <param name="model">The model, e.g. a <c>[BertModel]</c> class.</param>
    /// <param name="tokenizer">The model's tokenizer; its <see cref="BertTokenizer.MaxLength"/> truncates every text.</param>
    /// <param name="options">Batch size and model id; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="tokenizer"/> is null.</exception>
    /// <exception cref="ArgumentException">The tokenizer's maximum length exceeds the model's, or the batch size is not positive.</exception>
    public SentenceEmbeddingGenerator(ISentenceEmbeddingModel model, BertTokenizer tokenizer, SentenceEmbeddingGeneratorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        options ??= new SentenceEmbeddingGeneratorOptions();
        if (options.BatchSize <= 0)
        {
            throw new ArgumentException($"BatchSize must be positive; it was {options.BatchSize}.", nameof(options));
        }

        if (tokenizer.MaxLength > model.MaxSequenceLength)
        {
            throw new ArgumentException(
                $"The tokenizer truncates at MaxLength = {tokenizer.MaxLength} tokens, more than the model's {model.MaxSequenceLength} positions: " +
                $"create it with new BertTokenizerOptions {{ MaxLength = {model.MaxSequenceLength} }} (or the model's own max_seq_length).", nameof(tokenizer));
        }

        _model = model;
        _tokenizer = tokenizer;
        _batchSize = options.BatchSize;
        _modelId = options.ModelId;
        _metadata = new EmbeddingGeneratorMetadata(ProviderName, providerUri: null, options.ModelId, model.EmbeddingDimensions);
    }

    /// <summary>
    /// Embeds every text, in order. Texts are sorted by token count into batches of <see cref="SentenceEmbeddingGeneratorOptions.BatchSize"/>
    /// so that a batch pads little; cancellation is checked between batches.
    /// </summary>
    /// <param name="values">The texts.</param>
    /// <param name="options">
    /// <see cref="EmbeddingGenerationOptions.Dimensions"/> keeps the first that many floats of each embedding (renormalised when the
    /// model normalises); it must be at most the model's. Other options are ignored.
    /// </param>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <exception cref="ArgumentException">A text is null, or the dimensions asked for are not between 1 and the model's.</exception>
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        int dimensions = ResolveDimensions(options?.Dimensions);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            string[] texts = values as string[] ?? values.ToArray();
            var embeddings = new Embedding<float>[texts.Length];
            long tokens = Embed(texts, dimensions, embeddings, cancellationToken);
            var generated = new GeneratedEmbeddings<Embedding<float>>(embeddings)
            {
                Usage = new UsageDetails { InputTokenCount = tokens, TotalTokenCount = tokens },
            };
            return Task.FromResult(generated);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The work runs on the caller's thread; cancellation still reaches the caller as a canceled task, as with any async API.
            return Task.FromCanceled<GeneratedEmbeddings<Embedding<float>>>(cancellationToken);
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null) return null;
        if (serviceType == typeof(EmbeddingGeneratorMetadata)) return _metadata;
        if (serviceType.IsInstanceOfType(this)) return this;
        if (serviceType.IsInstanceOfType(_model)) return _model;
        return serviceType.IsInstanceOfType(_tokenizer) ? _tokenizer : null;
    }

    /// <summary>Nothing to release: the model and tokenizer belong to the caller.</summary>
    public void Dispose()
    {
    }

    private int ResolveDimensions(int? requested)
    {
        int available = _model.EmbeddingDimensions;
        if (requested is null) return available;
        if (requested < 1 || requested > available)
        {
            throw new ArgumentException($"Dimensions is {requested}; this model's embeddings have {available} floats, so ask for 1 to {available} (or leave it unset).", "options");
        }

        return requested.Value;
    }

    /// <summary>Tokenises, sorts by length, embeds batch by batch; returns the real tokens seen (after truncation).</summary>
    private long Embed(string[] texts, int dimensions, Embedding<float>[] embeddings, CancellationToken cancellationToken)
    {
        for (int i = 0; i < texts.Length; i++)
        {
            if (texts[i] is null) throw new ArgumentException($"values[{i}] is null; every text must be a string (empty is allowed).", "values");
        }

        int count = texts.Length;
        int width = _model.EmbeddingDimensions;
        int[] order = ArrayPool<int>.Shared.Rent(count);
        int[] lengths = ArrayPool<int>.Shared.Rent(count);
        string[] batchTexts = ArrayPool<string>.Shared.Rent(_batchSize);
        int[] inputIds = ArrayPool<int>.Shared.Rent(_batchSize * _tokenizer.MaxLength);
        int[] attentionMask = ArrayPool<int>.Shared.Rent(_batchSize * _tokenizer.MaxLength);
        int[] tokenTypeIds = ArrayPool<int>.Shared.Rent(_batchSize * _tokenizer.MaxLength);
        float[] pooled = ArrayPool<float>.Shared.Rent(_batchSize * width);
        long tokens = 0;
        try
        {
            for (int i = 0; i < count; i++)
            {
                order[i] = i;
                lengths[i] = Math.Min(_tokenizer.CountTokens(texts[i]), _tokenizer.MaxLength);
            }

            Array.Sort(lengths, order, 0, count);
            DateTimeOffset created = DateTimeOffset.UtcNow;
            for (int start = 0; start < count; start += _batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int batch = Math.Min(_batchSize, count - start);
                for (int b = 0; b < batch; b++) batchTexts[b] = texts[order[start + b]];
                int length = _tokenizer.EncodeBatch(batchTexts.AsSpan(0, batch), inputIds, attentionMask, tokenTypeIds);
                int cells = batch * length;
                _model.Embed(inputIds.AsSpan(0, cells), attentionMask.AsSpan(0, cells), tokenTypeIds.AsSpan(0, cells), pooled.AsSpan(0, batch * width), batch, length);
                for (int b = 0; b < batch; b++)
                {
                    float[] vector = pooled.AsSpan(b * width, dimensions).ToArray();
                    if (dimensions < width && _model.NormalizesEmbeddings) Renormalize(vector);
                    embeddings[order[start + b]] = new Embedding<float>(vector) { ModelId = _modelId, CreatedAt = created };
                    tokens += lengths[start + b];
                }
            }
        }
        finally
        {
            Array.Clear(batchTexts, 0, _batchSize);
            ArrayPool<float>.Shared.Return(pooled);
            ArrayPool<int>.Shared.Return(tokenTypeIds);
            ArrayPool<int>.Shared.Return(attentionMask);
            ArrayPool<int>.Shared.Return(inputIds);
            ArrayPool<string>.Shared.Return(batchTexts);
            ArrayPool<int>.Shared.Return(lengths);
            ArrayPool<int>.Shared.Return(order);
        }

        return tokens;
    }

    /// <summary>Back to unit length after truncation, as a model that normalises would have returned it.</summary>
    private static void Renormalize(float[] vector)
    {
        double squares = 0;
        foreach (float value in vector) squares += (double)value * value;
        float scale = (float)(1.0 / Math.Max(Math.Sqrt(squares), 1e-12));
        for (int i = 0; i < vector.Length; i++) vector[i] *= scale;
    }
}
