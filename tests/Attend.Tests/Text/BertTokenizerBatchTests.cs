using System;
using System.Linq;
using System.Text;
using Attend.Text;
using Attend.Testing;
using Xunit;

namespace Attend.Tests.Text;

/// <summary>The batch API: rows equal to single encodes, padding, masks, token types, truncation, allocation.</summary>
public sealed class BertTokenizerBatchTests
{
    private static readonly string[] Sentences =
    [
        "The weather is lovely today.",
        "It's so sunny outside!",
        "He drove to the stadium.",
        "",
        "Straße, naïve café; 中文 and emoji 😀 with [MASK] inside.",
    ];

    [Fact]
    public void Rows_pad_to_the_longest_text_with_mask_and_type_ids()
    {
        BertTokenizer tokenizer = TokenizerReference.Tokenizer;
        int capacity = Sentences.Length * tokenizer.MaxLength;
        int[] ids = new int[capacity], mask = new int[capacity], types = Enumerable.Repeat(7, capacity).ToArray();

        int length = tokenizer.EncodeBatch(Sentences, ids, mask, types);

        int[][] expected = Sentences.Select(s => tokenizer.Encode(s).InputIds).ToArray();
        Assert.Equal(expected.Max(e => e.Length), length);
        for (int row = 0; row < Sentences.Length; row++)
        {
            Span<int> rowIds = ids.AsSpan(row * length, length);
            Span<int> rowMask = mask.AsSpan(row * length, length);
            int real = expected[row].Length;
            Assert.True(rowIds[..real].SequenceEqual(expected[row]), $"row {row}");
            Assert.All(rowIds[real..].ToArray(), id => Assert.Equal(tokenizer.PaddingId, id));
            Assert.All(rowMask[..real].ToArray(), m => Assert.Equal(1, m));
            Assert.All(rowMask[real..].ToArray(), m => Assert.Equal(0, m));
        }

        Assert.All(types.Take(Sentences.Length * length), t => Assert.Equal(0, t));
        Assert.All(types.Skip(Sentences.Length * length), t => Assert.Equal(7, t));
        Assert.Equal([101, 102], ids.AsSpan(3 * length, 2).ToArray());
    }

    [Fact]
    public void A_fixed_length_truncates_and_keeps_the_separator()
    {
        BertTokenizer tokenizer = TokenizerReference.Tokenizer;
        string[] texts = ["one two three four five six seven eight", "short"];
        int[] ids = new int[2 * 6], mask = new int[2 * 6], types = new int[2 * 6];

        Assert.Equal(6, tokenizer.EncodeBatch(texts, ids, mask, types, sequenceLength: 6));

        Assert.Equal(tokenizer.Encode(texts[0], maxLength: 6).InputIds, ids[..6]);
        Assert.Equal(tokenizer.SeparatorId, ids[5]);
        Assert.Equal([1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0], mask);
        Assert.Equal(tokenizer.PaddingId, ids[9]);
    }

    [Fact]
    public void Texts_longer_than_MaxLength_are_cut_to_it_with_the_separator_last()
    {
        BertTokenizer tokenizer = BertTokenizer.FromVocabulary(TokenizerReference.VocabularyPath, new BertTokenizerOptions { MaxLength = 16 });
        string[] texts = [string.Join(' ', Enumerable.Repeat("word", 40)), "a b"];
        int[] ids = new int[2 * 16], mask = new int[2 * 16], types = new int[2 * 16];

        Assert.Equal(16, tokenizer.EncodeBatch(texts, ids, mask, types));
        Assert.Equal(tokenizer.SeparatorId, ids[15]);
        Assert.Equal(16, mask[..16].Sum());
        Assert.Equal(4, mask[16..].Sum());
    }

    /// <summary>
    /// Once warm, neither a batch nor token counting allocates, over every corpus line except the few whose
    /// accent stripping needs .NET's own NFD (two spacing non-starter marks in a row, e.g. Balinese adeg adeg),
    /// which allocates; those are counted separately so the exception stays visible and small.
    /// </summary>
    [Fact]
    public void Batch_encoding_allocates_nothing_once_warm()
    {
        BertTokenizer tokenizer = TokenizerReference.Tokenizer;
        string[] ordinary = TokenizerReference.Corpus.Where(line => !HasTwoReorderableMarksInARow(line)).ToArray();
        string[] texts = ordinary.Skip(700).Take(32).ToArray();
        int capacity = texts.Length * tokenizer.MaxLength;
        int[] ids = new int[capacity], mask = new int[capacity], types = new int[capacity];
        for (int warm = 0; warm < 2; warm++)
        {
            tokenizer.EncodeBatch(texts, ids, mask, types);
            foreach (string text in ordinary)
            {
                tokenizer.CountTokens(text);
            }
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        int length = tokenizer.EncodeBatch(texts, ids, mask, types);
        int counted = 0;
        foreach (string text in ordinary)
        {
            counted += tokenizer.CountTokens(text);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(length > 2 && counted > ordinary.Length * 2);
        Assert.Equal(0, allocated);
        Assert.InRange(TokenizerReference.Corpus.Length - ordinary.Length, 1, 5);
    }

    private static bool HasTwoReorderableMarksInARow(string line)
    {
        bool previous = false;
        foreach (Rune rune in line.EnumerateRunes())
        {
            bool current = CanonicalDecomposition.IsReorderableMark(rune.Value);
            if (current && previous)
            {
                return true;
            }

            previous = current;
        }

        return false;
    }

    [Fact]
    public void Pairs_get_type_id_one_after_the_first_separator()
    {
        BertEncoding encoding = TokenizerReference.Tokenizer.Encode("The weather is lovely today.", "It's so sunny outside!");
        Assert.Equal([101, 1996, 4633, 2003, 8403, 2651, 1012, 102, 2009, 1005, 1055, 2061, 11559, 2648, 999, 102], encoding.InputIds);
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1], encoding.TokenTypeIds);
    }
}
