using System;
using System.Collections.Generic;
using Attend.Kernels;
using Xunit;

namespace Attend.Tests.FamilyGraph;

/// <summary>
/// <c>[AttentionPooling]</c> against PyTorch (<c>TestData/family/make_family_fixtures.py</c>): additive and learned-query
/// scores with key padding, and two layers stacked word → sentence → document, on every kernel path.
/// </summary>
public sealed class AttentionPoolingTests
{
    public static IEnumerable<object[]> Paths()
    {
        foreach (KernelPath path in KernelPaths.All.ToArray()) yield return new object[] { path };
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Additive_pooling_matches_pytorch(KernelPath path)
    {
        using FamilyFixture fixture = FamilyFixture.Own("pool_additive_small");
        var layer = new AdditivePooling { Path = path };
        layer.LoadWeights(fixture.File);
        int batch = fixture.Dim("input.x", 0), length = fixture.Dim("input.x", 1);
        var output = new float[batch * AdditivePooling.Features];
        var attention = new float[batch * length];
        layer.Forward(fixture.Floats("input.x"), output, batch, length, fixture.Bools("input.key_padding_mask"), attention);

        fixture.AssertClose("y", fixture.Floats("output.y"), output);
        fixture.AssertClose("attn_weights", fixture.Floats("output.attn_weights"), attention);
        // Sequence 2 is padded everywhere: it pools to zeros (PyTorch's softmax gives NaN; the fixture zeroes it).
        Assert.All(output.AsSpan(2 * AdditivePooling.Features).ToArray(), value => Assert.Equal(0f, value));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Learned_query_pooling_matches_pytorch(KernelPath path)
    {
        using FamilyFixture fixture = FamilyFixture.Own("pool_learned_query_small");
        var layer = new LearnedQueryPooling { Path = path };
        layer.LoadWeights(fixture.File);
        int batch = fixture.Dim("input.x", 0), length = fixture.Dim("input.x", 1);
        var output = new float[batch * LearnedQueryPooling.Features];
        var attention = new float[batch * length];
        layer.Forward(fixture.Floats("input.x"), output, batch, length, fixture.Bools("input.key_padding_mask"), attention);

        fixture.AssertClose("y", fixture.Floats("output.y"), output);
        fixture.AssertClose("attn_weights", fixture.Floats("output.attn_weights"), attention);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Two_stacked_layers_pool_words_into_sentences_into_documents(KernelPath path)
    {
        using FamilyFixture fixture = FamilyFixture.Own("pool_hierarchical_small");
        int docs = fixture.Dim("input.x", 0), sentences = fixture.Dim("input.x", 1), words = fixture.Dim("input.x", 2);
        var wordLevel = new WordPooling { Path = path };
        var sentenceLevel = new SentencePooling { Path = path };
        wordLevel.LoadWeights(fixture.File, "words.");
        sentenceLevel.LoadWeights(fixture.File, "sentences.");

        // Every sentence of every document is one sequence of words: [docs · sentences, words, F] → [docs · sentences, F].
        var sentenceVectors = new float[docs * sentences * WordPooling.Features];
        var wordAttention = new float[docs * sentences * words];
        wordLevel.Forward(fixture.Floats("input.x"), sentenceVectors, docs * sentences, words, fixture.Bools("input.word_padding_mask"), wordAttention);

        // The sentence vectors, read as [docs, sentences, F], are the next layer's sequences.
        var documentVectors = new float[docs * SentencePooling.Features];
        var sentenceAttention = new float[docs * sentences];
        sentenceLevel.Forward(sentenceVectors, documentVectors, docs, sentences, fixture.Bools("input.sentence_padding_mask"), sentenceAttention);

        fixture.AssertClose("sentence_vectors", fixture.Floats("output.sentence_vectors"), sentenceVectors);
        fixture.AssertClose("word_attn", fixture.Floats("output.word_attn"), wordAttention);
        fixture.AssertClose("doc_vectors", fixture.Floats("output.doc_vectors"), documentVectors);
        fixture.AssertClose("sentence_attn", fixture.Floats("output.sentence_attn"), sentenceAttention);
    }

    [Fact]
    public void Bad_lengths_throw_before_writing_and_name_the_argument()
    {
        var layer = new AdditivePooling();
        var output = new float[2 * AdditivePooling.Features];
        output.AsSpan().Fill(5f);
        ArgumentException error = Assert.Throws<ArgumentException>(() => layer.Forward(new float[2 * 3 * AdditivePooling.Features], output, 2, 3, new bool[5]));
        Assert.Equal("keyPaddingMask", error.ParamName);
        Assert.Contains("batch × length = 2 × 3", error.Message);
        Assert.All(output, value => Assert.Equal(5f, value));
    }
}
