using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Attend.Text;

/// <summary>
/// BERT's WordPiece tokenizer, equal to Hugging Face's (<c>BertTokenizerFast</c>, <c>tokenizers</c>, Transformers.js)
/// for uncased checkpoints: clean-up, CJK spacing, lower-casing, accent stripping, whitespace and punctuation
/// splitting, greedy longest-match WordPiece, <c>[CLS] A [SEP]</c> and <c>[CLS] A [SEP] B [SEP]</c>, longest-first
/// truncation that keeps the special tokens. Special tokens written in the text (<c>[SEP]</c>, <c>[MASK]</c>, …) are
/// recognised as Hugging Face does. Safe to share between threads; <see cref="EncodeBatch"/> and
/// <see cref="CountTokens"/> allocate nothing once warm.
/// </summary>
public sealed partial class BertTokenizer
{
    private readonly WordPieceVocabulary _vocabulary;
    private readonly bool _stripAccents;
    private readonly string[] _specialTokens;
    private readonly int[] _specialTokenIds;

    private BertTokenizer(WordPieceVocabulary vocabulary, BertTokenizerOptions options)
    {
        _vocabulary = vocabulary;
        Options = options;
        _stripAccents = options.StripAccents ?? options.LowerCase;
        UnknownId = RequiredId(options.UnknownToken);
        ClassificationId = RequiredId(options.ClassificationToken);
        SeparatorId = RequiredId(options.SeparatorToken);
        PaddingId = RequiredId(options.PaddingToken);

        var special = new List<(string Token, int Id)>
        {
            (options.PaddingToken, PaddingId), (options.UnknownToken, UnknownId),
            (options.ClassificationToken, ClassificationId), (options.SeparatorToken, SeparatorId),
        };
        if (vocabulary.TryGetWordStart(options.MaskToken, out int maskId))
        {
            special.Add((options.MaskToken, maskId));
        }

        _specialTokens = special.ConvertAll(s => s.Token).ToArray();
        _specialTokenIds = special.ConvertAll(s => s.Id).ToArray();
    }

    /// <summary>The options this tokenizer was built with.</summary>
    public BertTokenizerOptions Options { get; }

    /// <summary>Longest sequence encoding produces, special tokens included.</summary>
    public int MaxLength => Options.MaxLength;

    /// <summary>Number of tokens in the vocabulary.</summary>
    public int VocabularySize => _vocabulary.Count;

    /// <summary>Id of <c>[PAD]</c>, written after the end of shorter sequences in a batch.</summary>
    public int PaddingId { get; }

    /// <summary>Id of <c>[UNK]</c>.</summary>
    public int UnknownId { get; }

    /// <summary>Id of <c>[CLS]</c>, the first token of every sequence.</summary>
    public int ClassificationId { get; }

    /// <summary>Id of <c>[SEP]</c>, the token after each text.</summary>
    public int SeparatorId { get; }

    /// <summary>Reads a <c>vocab.txt</c> file (UTF-8, one token per line).</summary>
    /// <param name="path">Path of the vocabulary file.</param>
    /// <param name="options">Normalisation and framing; <see langword="null"/> for bert-base-uncased's.</param>
    /// <exception cref="InvalidDataException">The file is malformed; the message names the line.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in their first parameter's type (path, stream, reader), so no call is ambiguous, and options is the one optional parameter of each.")]
    public static BertTokenizer FromVocabulary(string path, BertTokenizerOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using FileStream stream = File.OpenRead(path);
        return FromVocabulary(stream, options);
    }

    /// <summary>Reads a vocabulary (UTF-8, one token per line) from a stream; the stream is left open.</summary>
    /// <param name="stream">The vocabulary's bytes.</param>
    /// <param name="options">Normalisation and framing; <see langword="null"/> for bert-base-uncased's.</param>
    /// <exception cref="InvalidDataException">The vocabulary is malformed or not UTF-8; the message names the line.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in their first parameter's type (path, stream, reader), so no call is ambiguous, and options is the one optional parameter of each.")]
    public static BertTokenizer FromVocabulary(Stream stream, BertTokenizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new StreamReader(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        try
        {
            return FromVocabulary(reader, options);
        }
        catch (DecoderFallbackException invalid)
        {
            throw new InvalidDataException("The vocabulary is not valid UTF-8.", invalid);
        }
    }

    /// <summary>Reads a vocabulary, one token per line; the token's id is its 0-based line number.</summary>
    /// <param name="reader">The vocabulary's text.</param>
    /// <param name="options">Normalisation and framing; <see langword="null"/> for bert-base-uncased's.</param>
    /// <exception cref="InvalidDataException">The vocabulary is malformed; the message names the line.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ in their first parameter's type (path, stream, reader), so no call is ambiguous, and options is the one optional parameter of each.")]
    public static BertTokenizer FromVocabulary(TextReader reader, BertTokenizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        options ??= new BertTokenizerOptions();
        ValidateOptions(options);
        return new BertTokenizer(WordPieceVocabulary.Read(reader, options.ContinuingSubwordPrefix), options);
    }

    private static void ValidateOptions(BertTokenizerOptions options)
    {
        if (options.MaxLength < 3)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxLength, "options.MaxLength must be at least 3: [CLS] A [SEP] B [SEP] needs room for its three special tokens.");
        }

        if (options.MaxCharactersPerWord < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxCharactersPerWord, "options.MaxCharactersPerWord must be at least 1.");
        }

        foreach ((string value, string name) in new[]
        {
            (options.UnknownToken, nameof(options.UnknownToken)), (options.ClassificationToken, nameof(options.ClassificationToken)),
            (options.SeparatorToken, nameof(options.SeparatorToken)), (options.PaddingToken, nameof(options.PaddingToken)),
            (options.MaskToken, nameof(options.MaskToken)), (options.ContinuingSubwordPrefix, nameof(options.ContinuingSubwordPrefix)),
        })
        {
            if (string.IsNullOrEmpty(value))
            {
                throw new ArgumentException($"options.{name} must be a non-empty string.", nameof(options));
            }
        }
    }

    private int RequiredId(string token) => _vocabulary.TryGetWordStart(token, out int id)
        ? id
        : throw new InvalidDataException($"The vocabulary has no line holding the special token \"{token}\"; BERT needs [UNK], [CLS], [SEP] and [PAD] (or the tokens named in the options).");
}
