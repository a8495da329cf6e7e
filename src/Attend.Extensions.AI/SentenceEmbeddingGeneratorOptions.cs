namespace Attend.Extensions.AI;

/// <summary>How a <see cref="SentenceEmbeddingGenerator"/> batches its inputs and describes itself.</summary>
public sealed record SentenceEmbeddingGeneratorOptions
{
    /// <summary>Texts per forward pass (32, sentence-transformers' default). Texts are sorted by token count first, so a batch pads little.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>The model's name in <see cref="Microsoft.Extensions.AI.EmbeddingGeneratorMetadata"/> and on each embedding, e.g. <c>all-MiniLM-L6-v2</c>.</summary>
    public string? ModelId { get; init; }
}
