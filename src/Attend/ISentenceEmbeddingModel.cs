using System;

namespace Attend;

/// <summary>
/// A model that turns batches of token ids into one embedding per sequence; every <see cref="BertModelAttribute"/> class
/// implements it, so pipelines (tokenise → embed) can drive any declared size.
/// </summary>
public interface ISentenceEmbeddingModel
{
    /// <summary>Floats per embedding.</summary>
    int EmbeddingDimensions { get; }

    /// <summary>The longest sequence, special tokens included, the model accepts.</summary>
    int MaxSequenceLength { get; }

    /// <summary>Whether embeddings come out L2-normalised.</summary>
    bool NormalizesEmbeddings { get; }

    /// <summary>Embeds <paramref name="batch"/> sequences of <paramref name="length"/> tokens (padded to the same length).</summary>
    /// <param name="inputIds"><c>[batch, length]</c> token ids.</param>
    /// <param name="attentionMask"><c>[batch, length]</c>, 1 for a real token and 0 for padding (Hugging Face's polarity).</param>
    /// <param name="tokenTypeIds"><c>[batch, length]</c> segment ids, or empty for all zeros.</param>
    /// <param name="embeddings">Receives <c>[batch, EmbeddingDimensions]</c>.</param>
    /// <param name="batch">Number of sequences.</param>
    /// <param name="length">Tokens per sequence.</param>
    void Embed(ReadOnlySpan<int> inputIds, ReadOnlySpan<int> attentionMask, ReadOnlySpan<int> tokenTypeIds, Span<float> embeddings, int batch, int length);
}
