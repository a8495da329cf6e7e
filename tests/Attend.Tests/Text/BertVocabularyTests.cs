using System;
using System.IO;
using System.Linq;
using System.Text;
using Attend.Text;
using Attend.Testing;
using Xunit;

namespace Attend.Tests.Text;

/// <summary>Reading vocab.txt: the real file, malformed files naming their line, and a mutation fuzz.</summary>
public sealed class BertVocabularyTests
{
    private const string Minimal = "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n##s\n";

    private static BertTokenizer Read(string text) => BertTokenizer.FromVocabulary(new StringReader(text));

    [Fact]
    public void The_minilm_vocabulary_reads_with_its_special_ids()
    {
        BertTokenizer tokenizer = BertTokenizer.FromVocabulary(TokenizerReference.VocabularyPath);
        Assert.Equal(30522, tokenizer.VocabularySize);
        Assert.Equal((0, 100, 101, 102), (tokenizer.PaddingId, tokenizer.UnknownId, tokenizer.ClassificationId, tokenizer.SeparatorId));
        using FileStream stream = File.OpenRead(TokenizerReference.VocabularyPath);
        Assert.Equal(tokenizer.Encode("tokenization").InputIds, BertTokenizer.FromVocabulary(stream).Encode("tokenization").InputIds);
    }

    [Fact]
    public void A_minimal_vocabulary_encodes_with_continuations_and_unknowns()
    {
        BertTokenizer tokenizer = Read(Minimal);
        Assert.Equal([2, 4, 5, 1, 3], tokenizer.Encode("Hellos world").InputIds);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("[PAD]\n[UNK]\n[CLS]\n", "\"[SEP]\"")]
    [InlineData("[UNK]\n[CLS]\n[SEP]\n", "\"[PAD]\"")]
    [InlineData("[PAD]\n[CLS]\n[SEP]\n", "\"[UNK]\"")]
    [InlineData("[PAD]\n[UNK]\n[SEP]\n", "\"[CLS]\"")]
    [InlineData("[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n[UNK]\n", "line 6 repeats the token \"[UNK]\" of line 2")]
    [InlineData("[PAD]\n[UNK]\n\n[CLS]\n[SEP]\n", "line 3 is empty")]
    public void Malformed_vocabularies_say_what_and_where(string text, string expected)
    {
        var error = Assert.Throws<InvalidDataException>(() => Read(text));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_huge_line_is_refused_with_its_number()
    {
        string text = Minimal + new string('x', WordPieceVocabulary.MaxTokenLength + 1) + "\n";
        var error = Assert.Throws<InvalidDataException>(() => Read(text));
        Assert.Contains("line 7", error.Message);
    }

    [Fact]
    public void Invalid_utf8_is_refused()
    {
        byte[] bytes = [.. Encoding.UTF8.GetBytes(Minimal), 0xC3, 0x28, (byte)'\n'];
        var error = Assert.Throws<InvalidDataException>(() => BertTokenizer.FromVocabulary(new MemoryStream(bytes)));
        Assert.Contains("UTF-8", error.Message);
    }

    /// <summary>
    /// Mutated copies of a vocabulary (bytes flipped, inserted, deleted, lines duplicated or dropped): each either
    /// reads into a tokenizer that encodes a hostile text, or throws <see cref="InvalidDataException"/>; nothing else.
    /// </summary>
    [Fact]
    public void Mutated_vocabularies_read_or_throw_InvalidDataException_only()
    {
        byte[] seed = Encoding.UTF8.GetBytes(string.Join("\r\n", File.ReadLines(TokenizerReference.VocabularyPath).Take(1200)) + "\r\n");
        var random = new Random(11);
        int read = 0, refused = 0;
        for (int iteration = 0; iteration < 4000; iteration++)
        {
            byte[] mutated = Mutate(seed, random);
            try
            {
                BertTokenizer tokenizer = BertTokenizer.FromVocabulary(new MemoryStream(mutated));
                int[] ids = tokenizer.Encode("Hello, [MASK] wörld! 中文 \ud800 " + new string('a', 150)).InputIds;
                Assert.All(ids, id => Assert.InRange(id, 0, tokenizer.VocabularySize - 1));
                read++;
            }
            catch (InvalidDataException)
            {
                refused++;
            }
        }

        Assert.True(read > 100 && refused > 100, $"read {read}, refused {refused}: the mutations should exercise both outcomes");
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = seed.ToList();
        int edits = 1 + random.Next(8);
        for (int edit = 0; edit < edits && bytes.Count > 0; edit++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0: bytes[at] = (byte)random.Next(256); break;
                case 1: bytes.Insert(at, (byte)random.Next(256)); break;
                case 2: bytes.RemoveAt(at); break;
                case 3: bytes.InsertRange(at, bytes.Skip(at).Take(random.Next(1, 40)).ToList()); break;
                case 4: bytes.RemoveRange(at, Math.Min(bytes.Count - at, random.Next(1, 400))); break;
                default: bytes.InsertRange(at, Enumerable.Repeat((byte)'x', random.Next(1, 1500))); break;
            }
        }

        return bytes.ToArray();
    }
}
