using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Attend.Testing;
using Attend.Text;

namespace Attend.Benchmarks.Tokenizers;

/// <summary>
/// <c>dotnet run -c Release --project tests/Attend.Benchmarks -- tokenizer-parity</c>: how many reference rows
/// (Hugging Face's ids for the hostile corpus) each .NET tokenizer reproduces exactly, and the most frequent
/// first differences (expected token → actual token) with an example line each.
/// </summary>
internal static class TokenizerParityCommand
{
    public static int Run()
    {
        string[] corpus = TokenizerReference.Corpus;
        string[] vocabulary = File.ReadAllLines(TokenizerReference.VocabularyPath);
        var microsoftMl = TokenizerPeers.CreateMicrosoftMl();
        var fastBert = TokenizerPeers.CreateFastBert();
        BertTokenizer attend = TokenizerReference.Tokenizer;

        var candidates = new (string Name, Func<TokenizerReference.Row, int[]?> Encode)[]
        {
            ("Attend.Text.BertTokenizer", row => attend.Encode(corpus[row.First], row.Second is int s ? corpus[s] : null, row.MaxLength ?? int.MaxValue).InputIds),
            ("Microsoft.ML.Tokenizers 3.0.0", row => row.Second is int s
                ? (row.MaxLength is null ? TokenizerPeers.MicrosoftMlPairIds(microsoftMl, corpus[row.First], corpus[s]) : null)
                : TokenizerPeers.MicrosoftMlIds(microsoftMl, corpus[row.First], row.MaxLength ?? int.MaxValue)),
            ("FastBertTokenizer 1.2.6", row => row.Second is null ? TokenizerPeers.FastBertIds(fastBert, corpus[row.First], row.MaxLength ?? int.MaxValue) : null),
        };

        foreach ((string name, Func<TokenizerReference.Row, int[]?> encode) in candidates)
        {
            Console.WriteLine($"## {name}");
            // The first 700 corpus lines are the repository's documentation as written: a figure for ordinary text.
            var documentation = TokenizerReference.Rows.Where(r => r.Kind == "single" && r.MaxLength is null && r.First < 700).ToArray();
            int documentationEqual = documentation.Count(row =>
            {
                try
                {
                    return encode(row)?.AsSpan().SequenceEqual(row.Ids) == true;
                }
                catch (ArgumentException)
                {
                    return false;
                }
            });
            Console.WriteLine($"  {"docs",-11} {documentationEqual,5} / {documentation.Length,5} equal ({100.0 * documentationEqual / documentation.Length:F1} %), single, the documentation lines only");
            foreach (var group in TokenizerReference.Rows.GroupBy(r => (r.Kind, r.MaxLength)))
            {
                var differences = new Dictionary<string, (int Count, string Example)>();
                int equal = 0, total = 0, thrown = 0;
                foreach (TokenizerReference.Row row in group)
                {
                    int[]? actual;
                    try
                    {
                        actual = encode(row);
                    }
                    catch (Exception exception)
                    {
                        thrown++;
                        total++;
                        Tally(differences, $"throws {exception.GetType().Name}: {exception.Message.Split('\n')[0]}", corpus[row.First]);
                        continue;
                    }

                    if (actual is null)
                    {
                        break;
                    }

                    total++;
                    if (actual.AsSpan().SequenceEqual(row.Ids))
                    {
                        equal++;
                    }
                    else
                    {
                        string lengths = group.Key.MaxLength is null ? "" : $"length {row.Ids.Length} → {actual.Length}, ";
                        Tally(differences, lengths + FirstDifference(row.Ids, actual, vocabulary), corpus[row.First]);
                    }
                }

                string label = $"{group.Key.Kind}{(group.Key.MaxLength is int m ? $"@{m}" : "")}";
                Console.WriteLine(total == 0
                    ? $"  {label,-11} not supported"
                    : $"  {label,-11} {equal,5} / {total,5} equal ({100.0 * equal / total:F1} %){(thrown > 0 ? $", {thrown} threw" : "")}");
                foreach (var (difference, (count, example)) in differences.OrderByDescending(d => d.Value.Count).Take(group.Key.MaxLength is null ? 30 : 3))
                {
                    Console.WriteLine($"    {count,4} × {difference,-40} e.g. \"{TokenizerReference.Visible(example)}\"");
                }
            }
        }

        return 0;
    }

    private static void Tally(Dictionary<string, (int Count, string Example)> differences, string key, string example)
    {
        differences[key] = differences.TryGetValue(key, out var seen) ? (seen.Count + 1, seen.Example) : (1, example);
    }

    private static string FirstDifference(int[] expected, int[] actual, string[] vocabulary)
    {
        int at = 0;
        while (at < expected.Length && at < actual.Length && expected[at] == actual[at])
        {
            at++;
        }

        string Token(int[] ids) => at < ids.Length ? (ids[at] >= 0 && ids[at] < vocabulary.Length ? vocabulary[ids[at]] : $"#{ids[at]}") : "<end>";
        return $"{Token(expected)} → {Token(actual)}";
    }
}
