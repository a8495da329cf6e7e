using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Attend.Text;
using Attend.Testing;
using Xunit;

namespace Attend.Tests.Text;

/// <summary>
/// Our tokenizer against Hugging Face's ids for the hostile corpus: every row must be equal, single texts and
/// pairs, untruncated and truncated to 128 and 512 tokens.
/// </summary>
public sealed class BertTokenizerParityTests
{
    [Fact]
    public void Corpus_and_reference_cover_what_the_issue_asks_for()
    {
        Assert.True(TokenizerReference.Corpus.Length >= 2000, $"corpus has {TokenizerReference.Corpus.Length} lines");
        TokenizerReference.Row[] rows = TokenizerReference.Rows;
        Assert.Equal(TokenizerReference.Corpus.Length, rows.Count(r => r.Kind == "single" && r.MaxLength is null));
        Assert.True(rows.Count(r => r.Kind == "pair" && r.MaxLength is null) >= 900);
        Assert.True(rows.Count(r => r.Kind == "single" && r.MaxLength == 512) >= 20, "lines longer than 512 tokens");
        Assert.True(rows.Count(r => r.Kind == "pair" && r.MaxLength == 128) >= 20, "pairs longer than 128 tokens");
        Assert.Contains(TokenizerReference.Corpus, HasLoneSurrogate);
        Assert.Contains(TokenizerReference.Corpus, line => line.Length == 0);
    }

    /// <summary>
    /// The comparison can fail: a cased tokenizer (no lower-casing, no accent stripping) must differ from the
    /// uncased reference on many lines.
    /// </summary>
    [Fact]
    public void A_cased_tokenizer_differs_from_the_uncased_reference()
    {
        BertTokenizer cased = BertTokenizer.FromVocabulary(TokenizerReference.VocabularyPath, new BertTokenizerOptions { LowerCase = false });
        int differing = TokenizerReference.Rows.Where(r => r.Kind == "single" && r.MaxLength is null)
            .Count(r => !cased.Encode(TokenizerReference.Corpus[r.First], maxLength: int.MaxValue).InputIds.AsSpan().SequenceEqual(r.Ids));
        Assert.True(differing > 500, $"only {differing} lines differ");
    }

    /// <summary>Spacing marks that NFD reorders are found by probing NFD; a few known classes pin the probe down.</summary>
    [Theory]
    [InlineData(0x1B44, true)]   // BALINESE ADEG ADEG, class 9
    [InlineData(0x1D165, true)]  // MUSICAL SYMBOL COMBINING STEM, class 216
    [InlineData(0x302E, true)]   // HANGUL SINGLE DOT TONE MARK, class 224
    [InlineData(0x093E, false)]  // DEVANAGARI VOWEL SIGN AA, class 0
    [InlineData(0x09BE, false)]  // BENGALI VOWEL SIGN AA, class 0
    [InlineData(0x0301, false)]  // non-spacing: removed by accent stripping, never asked
    [InlineData('a', false)]
    public void Reorderable_marks_are_the_spacing_non_starters(int codePoint, bool expected)
    {
        Assert.Equal(expected, CanonicalDecomposition.IsReorderableMark(codePoint));
    }

    private static bool HasLoneSurrogate(string line)
    {
        for (int i = 0; i < line.Length; i++)
        {
            if (char.IsHighSurrogate(line[i]) && i + 1 < line.Length && char.IsLowSurrogate(line[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(line[i]))
            {
                return true;
            }
        }

        return false;
    }

    [Theory]
    [InlineData("single", null)]
    [InlineData("single", 128)]
    [InlineData("single", 512)]
    [InlineData("pair", null)]
    [InlineData("pair", 128)]
    [InlineData("pair", 512)]
    public void Every_reference_row_is_equal(string kind, int? maxLength)
    {
        BertTokenizer tokenizer = TokenizerReference.Tokenizer;
        string[] corpus = TokenizerReference.Corpus;
        var rows = TokenizerReference.Rows.Where(r => r.Kind == kind && r.MaxLength == maxLength).ToList();
        Assert.NotEmpty(rows);
        var failures = new List<string>();
        foreach (TokenizerReference.Row row in rows)
        {
            string? pair = row.Second is int second ? corpus[second] : null;
            BertEncoding encoding = tokenizer.Encode(corpus[row.First], pair, maxLength ?? int.MaxValue);
            int typeZero = encoding.TokenTypeIds.Count(t => t == 0);
            if (!encoding.InputIds.AsSpan().SequenceEqual(row.Ids) || typeZero != row.TypeZeroCount)
            {
                failures.Add($"line {row.First}{(row.Second is null ? "" : $" + {row.Second}")} \"{TokenizerReference.Visible(corpus[row.First])}\"\n"
                    + $"  expected {string.Join(' ', row.Ids.Take(40))} (type 0: {row.TypeZeroCount})\n  actual   {string.Join(' ', encoding.InputIds.Take(40))} (type 0: {typeZero})");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {rows.Count} rows differ:\n{string.Join('\n', failures.Take(15))}");
    }

    /// <summary>One tokenizer shared by several threads (as an embedding service shares it) still gives every row.</summary>
    [Fact]
    public void A_shared_tokenizer_is_equal_on_every_thread()
    {
        BertTokenizer tokenizer = TokenizerReference.Tokenizer;
        string[] corpus = TokenizerReference.Corpus;
        TokenizerReference.Row[] rows = TokenizerReference.Rows.Where(r => r.Kind == "single" && r.MaxLength is null).ToArray();
        int differing = 0;
        Parallel.For(0, rows.Length * 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            TokenizerReference.Row row = rows[i % rows.Length];
            if (!tokenizer.Encode(corpus[row.First], maxLength: int.MaxValue).InputIds.AsSpan().SequenceEqual(row.Ids))
            {
                Interlocked.Increment(ref differing);
            }
        });
        Assert.Equal(0, differing);
    }

    [Fact]
    public void CountTokens_is_the_untruncated_length_of_every_corpus_line()
    {
        BertTokenizer tokenizer = TokenizerReference.Tokenizer;
        foreach (TokenizerReference.Row row in TokenizerReference.Rows.Where(r => r.Kind == "single" && r.MaxLength is null))
        {
            Assert.Equal(row.Ids.Length, tokenizer.CountTokens(TokenizerReference.Corpus[row.First]));
        }
    }
}
