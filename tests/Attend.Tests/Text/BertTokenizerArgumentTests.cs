using System;
using Attend.Text;
using Attend.Testing;
using Xunit;

namespace Attend.Tests.Text;

/// <summary>Bad arguments throw before any buffer is written, naming the argument and what was expected.</summary>
public sealed class BertTokenizerArgumentTests
{
    private static BertTokenizer Tokenizer => TokenizerReference.Tokenizer;

    [Fact]
    public void Buffers_shorter_than_batch_times_length_name_the_buffer_and_leave_it_untouched()
    {
        string[] texts = ["one", "two"];
        int[] ids = new int[2 * 8], mask = new int[2 * 8], shortTypes = new int[2 * 8 - 1];
        Array.Fill(ids, -1);

        var error = Assert.Throws<ArgumentException>(() => Tokenizer.EncodeBatch(texts, ids, mask, shortTypes, sequenceLength: 8));

        Assert.Equal("tokenTypeIds", error.ParamName);
        Assert.Contains("expected at least 16", error.Message);
        Assert.All(ids, id => Assert.Equal(-1, id));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(513)]
    public void A_sequence_length_outside_2_to_MaxLength_is_refused(int sequenceLength)
    {
        int[] buffer = new int[1024];
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Tokenizer.EncodeBatch(["text"], buffer, buffer, buffer, sequenceLength));
        Assert.Equal("sequenceLength", error.ParamName);
        Assert.Contains("MaxLength (512)", error.Message);
    }

    [Fact]
    public void A_null_text_in_a_batch_is_named_by_index()
    {
        int[] buffer = new int[1024];
        var error = Assert.Throws<ArgumentException>(() => Tokenizer.EncodeBatch(["a", null!], buffer, buffer, buffer));
        Assert.Equal("texts", error.ParamName);
        Assert.Contains("texts[1]", error.Message);
    }

    [Fact]
    public void Encode_refuses_null_text_and_a_max_length_below_the_special_tokens()
    {
        Assert.Equal("text", Assert.Throws<ArgumentNullException>(() => Tokenizer.Encode(null!)).ParamName);
        Assert.Equal("maxLength", Assert.Throws<ArgumentOutOfRangeException>(() => Tokenizer.Encode("a", maxLength: 1)).ParamName);
        Assert.Equal("maxLength", Assert.Throws<ArgumentOutOfRangeException>(() => Tokenizer.Encode("a", "b", maxLength: 2)).ParamName);
        Assert.Equal(2, Tokenizer.Encode("a b c", maxLength: 2).Length);
    }

    [Fact]
    public void Options_that_cannot_frame_a_sequence_are_refused()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => BertTokenizer.FromVocabulary(TokenizerReference.VocabularyPath, new BertTokenizerOptions { MaxLength = 2 }));
        Assert.Equal("options", error.ParamName);
        Assert.Contains("MaxLength", error.Message);
        var empty = Assert.Throws<ArgumentException>(() => BertTokenizer.FromVocabulary(TokenizerReference.VocabularyPath, new BertTokenizerOptions { SeparatorToken = "" }));
        Assert.Contains("SeparatorToken", empty.Message);
    }
}
