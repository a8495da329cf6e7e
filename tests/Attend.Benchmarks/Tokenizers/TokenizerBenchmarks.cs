using System;
using System.Collections.Generic;
using System.Linq;
using Attend.Testing;
using Attend.Text;
using BenchmarkDotNet.Attributes;
using MlBertTokenizer = Microsoft.ML.Tokenizers.BertTokenizer;

namespace Attend.Benchmarks.Tokenizers;

/// <summary>
/// Tokenising a batch of 32 real sentences (prose lines of the repository's documentation, from the tokenizer
/// corpus) into [32, 128] input_ids / attention_mask / token_type_ids buffers, as an embedding call does: ours,
/// FastBertTokenizer (its batch API, which runs on several threads, and one text at a time) and
/// Microsoft.ML.Tokenizers (one text at a time; it has no batch API). Allocations per call are the point as much as time.
/// </summary>
[MemoryDiagnoser]
public class TokenizerBenchmarks
{
    private const int Batch = 32;
    private const int Length = 128;

    private readonly int[] _ids = new int[Batch * Length];
    private readonly int[] _mask = new int[Batch * Length];
    private readonly int[] _types = new int[Batch * Length];
    private readonly long[] _longIds = new long[Batch * Length];
    private readonly long[] _longMask = new long[Batch * Length];
    private readonly long[] _longTypes = new long[Batch * Length];

    private string[] _sentences = null!;
    private BertTokenizer _attend = null!;
    private FastBertTokenizer.BertTokenizer _fastBert = null!;
    private MlBertTokenizer _microsoftMl = null!;

    /// <summary>The 32 sentences: documentation lines that read as prose (start with a letter, 40 to 200 characters).</summary>
    public static string[] RealSentences() => TokenizerReference.Corpus.Take(700)
        .Where(line => line.Length is >= 40 and <= 200 && char.IsAsciiLetterUpper(line[0]) && !line.Contains('|'))
        .Take(Batch).ToArray();

    [GlobalSetup]
    public void Setup()
    {
        _sentences = RealSentences();
        _attend = TokenizerReference.Tokenizer;
        _fastBert = TokenizerPeers.CreateFastBert();
        _microsoftMl = TokenizerPeers.CreateMicrosoftMl();
    }

    [Benchmark(Baseline = true)]
    public int Attend() => _attend.EncodeBatch(_sentences, _ids, _mask, _types, Length);

    [Benchmark]
    public int FastBertBatch()
    {
        _fastBert.Encode(_sentences, _longIds, _longMask, _longTypes, Length);
        return (int)_longIds[1];
    }

    [Benchmark]
    public int FastBertOneByOne()
    {
        for (int i = 0; i < _sentences.Length; i++)
        {
            var (ids, mask, types) = _fastBert.Encode(_sentences[i], Length, padTo: Length);
            ids.Span.CopyTo(_longIds.AsSpan(i * Length));
            mask.Span.CopyTo(_longMask.AsSpan(i * Length));
            types.Span.CopyTo(_longTypes.AsSpan(i * Length));
        }

        return (int)_longIds[1];
    }

    [Benchmark]
    public int MicrosoftMlOneByOne()
    {
        for (int i = 0; i < _sentences.Length; i++)
        {
            IReadOnlyList<int> ids = _microsoftMl.EncodeToIds(_sentences[i], Length, addSpecialTokens: true, out _, out _);
            Span<int> row = _ids.AsSpan(i * Length, Length);
            for (int j = 0; j < ids.Count; j++)
            {
                row[j] = ids[j];
            }

            row[ids.Count..].Fill(_microsoftMl.PaddingTokenId);
            _mask.AsSpan(i * Length, ids.Count).Fill(1);
            _mask.AsSpan(i * Length + ids.Count, Length - ids.Count).Clear();
        }

        _types.AsSpan().Clear();
        return _ids[1];
    }
}
