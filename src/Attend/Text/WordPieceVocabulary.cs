using System;
using System.Collections.Generic;
using System.IO;

namespace Attend.Text;

/// <summary>
/// A WordPiece vocabulary read from <c>vocab.txt</c> (one token per line, the id is the 0-based line number).
/// Pieces that continue a word are also kept without their prefix, so that a piece is looked up in place
/// in the text, with no substring and no prefix concatenated.
/// </summary>
internal sealed class WordPieceVocabulary
{
    /// <summary>Longer lines are refused: real vocabularies stay under a few dozen characters a token.</summary>
    public const int MaxTokenLength = 1024;

    /// <summary>More lines are refused: the largest BERT-family vocabularies hold about 250 000 tokens.</summary>
    public const int MaxTokens = 4_000_000;

    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _words;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _continuations;

    private WordPieceVocabulary(Dictionary<string, int> words, Dictionary<string, int> continuations, int longestPiece)
    {
        _words = words.GetAlternateLookup<ReadOnlySpan<char>>();
        _continuations = continuations.GetAlternateLookup<ReadOnlySpan<char>>();
        Count = words.Count;
        LongestPiece = longestPiece;
    }

    /// <summary>Number of tokens.</summary>
    public int Count { get; }

    /// <summary>Length in UTF-16 units of the longest token: no longer piece is looked up.</summary>
    public int LongestPiece { get; }

    /// <summary>The id of a piece that starts a word (or of any whole token, special tokens included).</summary>
    public bool TryGetWordStart(ReadOnlySpan<char> piece, out int id) => _words.TryGetValue(piece, out id);

    /// <summary>The id of a piece that continues a word, looked up without its prefix.</summary>
    public bool TryGetContinuation(ReadOnlySpan<char> pieceWithoutPrefix, out int id) => _continuations.TryGetValue(pieceWithoutPrefix, out id);

    /// <summary>Reads one token per line; a malformed file throws <see cref="InvalidDataException"/> naming the line.</summary>
    public static WordPieceVocabulary Read(TextReader reader, string continuingSubwordPrefix)
    {
        var words = new Dictionary<string, int>(StringComparer.Ordinal);
        var continuations = new Dictionary<string, int>(StringComparer.Ordinal);
        int longestPiece = 0;
        int lineNumber = 0;
        bool pendingEmptyLine = false;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (pendingEmptyLine)
            {
                throw new InvalidDataException($"Vocabulary line {lineNumber - 1} is empty; every line must hold one token.");
            }

            if (line.Length == 0)
            {
                // Only the very last line may be empty (a file that ends with two line breaks); decided at the next line.
                pendingEmptyLine = true;
                continue;
            }

            if (line.Length > MaxTokenLength)
            {
                throw new InvalidDataException($"Vocabulary line {lineNumber} is {line.Length} characters long; a token is at most {MaxTokenLength}.");
            }

            if (words.Count >= MaxTokens)
            {
                throw new InvalidDataException($"Vocabulary line {lineNumber}: more than {MaxTokens} tokens.");
            }

            if (!words.TryAdd(line, words.Count))
            {
                throw new InvalidDataException($"Vocabulary line {lineNumber} repeats the token \"{line}\" of line {words[line] + 1}.");
            }

            if (line.Length > continuingSubwordPrefix.Length && line.StartsWith(continuingSubwordPrefix, StringComparison.Ordinal))
            {
                continuations.TryAdd(line[continuingSubwordPrefix.Length..], words.Count - 1);
            }

            longestPiece = Math.Max(longestPiece, line.Length);
        }

        if (words.Count == 0)
        {
            throw new InvalidDataException("The vocabulary is empty; expected one token per line.");
        }

        return new WordPieceVocabulary(words, continuations, longestPiece);
    }
}
