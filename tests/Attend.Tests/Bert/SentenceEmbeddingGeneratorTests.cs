using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Attend.Extensions.AI;
using Attend.Samples.Embeddings;
using Attend.Text;
using Microsoft.Extensions.AI;
using Xunit;

namespace Attend.Tests.Bert;

/// <summary>The Microsoft.Extensions.AI generator over all-MiniLM-L6-v2: order, batching, options, cancellation, errors.</summary>
public sealed class SentenceEmbeddingGeneratorTests
{
    // Its own model instance: the parity tests switch their instance's kernel path.
    private static readonly Lazy<MiniLM> Model = new(MiniLmPackage.LoadModel);
    private static readonly BertTokenizer Tokenizer = MiniLmReference.Instance.Tokenizer;
    private static readonly string[] Texts = MiniLmReference.Instance.Texts.Where((_, i) => i % 9 == 0).Take(70).ToArray();

    [Fact]
    public async Task Embeddings_ComeBackInInputOrder_EqualToEmbeddingEachTextAlone()
    {
        using var generator = new SentenceEmbeddingGenerator(Model.Value, Tokenizer, new SentenceEmbeddingGeneratorOptions { BatchSize = 16 });

        GeneratedEmbeddings<Embedding<float>> embeddings = await generator.GenerateAsync(Texts);

        Assert.Equal(Texts.Length, embeddings.Count);
        for (int i = 0; i < Texts.Length; i++)
        {
            float[] alone = EmbedAlone(Texts[i]);
            Assert.Equal(MiniLM.ModelDim, embeddings[i].Dimensions);
            AssertClose(alone, embeddings[i].Vector.Span, 1e-5);
        }
    }

    [Fact]
    public async Task UsageCountsTheRealTokensAfterTruncation()
    {
        using var generator = new SentenceEmbeddingGenerator(Model.Value, Tokenizer);
        GeneratedEmbeddings<Embedding<float>> embeddings = await generator.GenerateAsync(Texts);
        long expected = Texts.Sum(t => Math.Min(Tokenizer.CountTokens(t), Tokenizer.MaxLength));
        Assert.Equal(expected, embeddings.Usage!.InputTokenCount);
        Assert.Equal(expected, embeddings.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task Dimensions_KeepsTheFirstFloats_Renormalised()
    {
        using var generator = new SentenceEmbeddingGenerator(Model.Value, Tokenizer);
        Embedding<float> full = (await generator.GenerateAsync([Texts[0]]))[0];
        Embedding<float> cut = (await generator.GenerateAsync([Texts[0]], new EmbeddingGenerationOptions { Dimensions = 128 }))[0];

        Assert.Equal(128, cut.Dimensions);
        double norm = Math.Sqrt(cut.Vector.ToArray().Sum(v => (double)v * v));
        Assert.Equal(1.0, norm, 1e-6);
        float[] head = full.Vector.Span[..128].ToArray();
        double headNorm = Math.Sqrt(head.Sum(v => (double)v * v));
        AssertClose(head.Select(v => (float)(v / headNorm)).ToArray(), cut.Vector.Span, 1e-6);
    }

    [Fact]
    public async Task MoreDimensionsThanTheModels_AreRefused()
    {
        // Below 1, EmbeddingGenerationOptions refuses the value itself.
        using var generator = new SentenceEmbeddingGenerator(Model.Value, Tokenizer);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => generator.GenerateAsync(["a"], new EmbeddingGenerationOptions { Dimensions = 385 }));
        Assert.Contains("1 to 384", e.Message);
    }

    [Fact]
    public async Task APreCanceledToken_GivesACanceledTask()
    {
        using var generator = new SentenceEmbeddingGenerator(Model.Value, Tokenizer);
        Task<GeneratedEmbeddings<Embedding<float>>> task = generator.GenerateAsync(Texts, cancellationToken: new CancellationToken(canceled: true));
        Assert.True(task.IsCanceled);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
    }

    [Fact]
    public async Task CancellationDuringTheCall_StopsBeforeTheNextBatch()
    {
        using var generator = new SentenceEmbeddingGenerator(Model.Value, Tokenizer, new SentenceEmbeddingGeneratorOptions { BatchSize = 4 });
        using var source = new CancellationTokenSource();
        // Canceled while the inputs are read, i.e. after the call began and before its first batch.
        IEnumerable<string> texts = Texts.Select((text, i) => { if (i == Texts.Length - 1) source.Cancel(); return text; });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => generator.GenerateAsync(texts, cancellationToken: source.Token));
    }

    [Fact]
    public async Task ANullText_IsNamedByItsIndex()
    {
        using var generator = new SentenceEmbeddingGenerator(Model.Value, Tokenizer);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => generator.GenerateAsync(["a", null!, "c"]));
        Assert.Contains("values[1] is null", e.Message);
    }

    [Fact]
    public void MetadataNamesTheProviderTheModelAndItsDimensions()
    {
        using var generator = new SentenceEmbeddingGenerator(Model.Value, Tokenizer, new SentenceEmbeddingGeneratorOptions { ModelId = "all-MiniLM-L6-v2" });
        IEmbeddingGenerator<string, Embedding<float>> asInterface = generator;
        EmbeddingGeneratorMetadata metadata = asInterface.GetService<EmbeddingGeneratorMetadata>()!;
        Assert.Equal("Attend", metadata.ProviderName);
        Assert.Equal("all-MiniLM-L6-v2", metadata.DefaultModelId);
        Assert.Equal(384, metadata.DefaultModelDimensions);
        Assert.Same(Model.Value, asInterface.GetService<MiniLM>());
        Assert.Same(Tokenizer, asInterface.GetService<BertTokenizer>());
    }

    [Fact]
    public void ATokenizerLongerThanTheModel_IsRefusedWithTheFix()
    {
        var e = Assert.Throws<ArgumentException>(() => new SentenceEmbeddingGenerator(new MeanBertE64(), Tokenizer));
        Assert.Equal("tokenizer", e.ParamName);
        Assert.Contains("MaxLength = 40", e.Message);
    }

    [Fact]
    public void ABatchSizeBelowOne_IsRefused() =>
        Assert.Throws<ArgumentException>(() => new SentenceEmbeddingGenerator(Model.Value, Tokenizer, new SentenceEmbeddingGeneratorOptions { BatchSize = 0 }));

    private static float[] EmbedAlone(string text)
    {
        BertEncoding encoding = Tokenizer.Encode(text);
        int[] mask = Enumerable.Repeat(1, encoding.Length).ToArray();
        float[] embedding = new float[MiniLM.ModelDim];
        Model.Value.Embed(encoding.InputIds, mask, embedding, 1, encoding.Length, encoding.TokenTypeIds);
        return embedding;
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: {expected[i]} vs {actual[i]}");
        }
    }
}
