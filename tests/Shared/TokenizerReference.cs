using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Attend.Text;

namespace Attend.Testing;

/// <summary>
/// The checked-in tokenizer corpus and Hugging Face's ids for it (TestData/tokenizer, written by
/// scripts/tokenizer-reference). Corpus lines are JSON string literals, read here by hand because they hold
/// lone surrogates, which System.Text.Json refuses to unescape.
/// </summary>
internal static class TokenizerReference
{
    public static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "TestData", "tokenizer");

    public static string VocabularyPath => Path.Combine(Folder, "vocab.txt");

    private static readonly Lazy<BertTokenizer> s_tokenizer = new(() => BertTokenizer.FromVocabulary(VocabularyPath));
    private static readonly Lazy<string[]> s_corpus = new(() => File.ReadAllLines(Path.Combine(Folder, "corpus.txt")).Select(UnescapeJsonString).ToArray());
    private static readonly Lazy<Row[]> s_rows = new(() => File.ReadAllLines(Path.Combine(Folder, "reference.txt")).Where(l => !l.StartsWith('#')).Select(Row.Parse).ToArray());

    public static BertTokenizer Tokenizer => s_tokenizer.Value;

    public static string[] Corpus => s_corpus.Value;

    public static Row[] Rows => s_rows.Value;

    /// <summary>One reference row: <c>kind[@maxLength] first [second typeZeroCount]: ids</c>.</summary>
    public sealed record Row(string Kind, int? MaxLength, int First, int? Second, int TypeZeroCount, int[] Ids)
    {
        public static Row Parse(string line)
        {
            int colon = line.IndexOf(':');
            string[] head = line[..colon].Split(' ');
            string[] kind = head[0].Split('@');
            int[] ids = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
            int? maxLength = kind.Length > 1 ? int.Parse(kind[1], CultureInfo.InvariantCulture) : null;
            int first = int.Parse(head[1], CultureInfo.InvariantCulture);
            return kind[0] switch
            {
                "single" => new Row("single", maxLength, first, null, ids.Length, ids),
                "pair" => new Row("pair", maxLength, first, int.Parse(head[2], CultureInfo.InvariantCulture), int.Parse(head[3], CultureInfo.InvariantCulture), ids),
                _ => throw new InvalidDataException($"reference.txt: unknown row kind in \"{line[..Math.Min(line.Length, 40)]}\""),
            };
        }
    }

    /// <summary>A JSON string literal (quotes included) to the string it denotes, lone surrogates kept.</summary>
    public static string UnescapeJsonString(string literal)
    {
        if (literal.Length < 2 || literal[0] != '"' || literal[^1] != '"')
        {
            throw new InvalidDataException($"corpus.txt: not a JSON string literal: {literal[..Math.Min(literal.Length, 40)]}");
        }

        var text = new StringBuilder(literal.Length);
        for (int i = 1; i < literal.Length - 1; i++)
        {
            char c = literal[i];
            if (c != '\\')
            {
                text.Append(c);
                continue;
            }

            char escape = literal[++i];
            text.Append(escape switch
            {
                '"' => '"', '\\' => '\\', '/' => '/', 'b' => '\b', 'f' => '\f', 'n' => '\n', 'r' => '\r', 't' => '\t',
                'u' => (char)int.Parse(literal.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                _ => throw new InvalidDataException($"corpus.txt: unknown escape \\{escape}"),
            });
            if (escape == 'u')
            {
                i += 4;
            }
        }

        return text.ToString();
    }

    /// <summary>Shows a text with its invisible characters escaped, for failure messages.</summary>
    public static string Visible(string text)
    {
        var shown = new StringBuilder();
        foreach (char c in text.Length > 120 ? text[..120] : text)
        {
            bool plain = c is >= ' ' and < '\u007f';
            shown.Append(plain ? c.ToString() : $"\\u{(int)c:x4}");
        }

        return shown.ToString();
    }
}
