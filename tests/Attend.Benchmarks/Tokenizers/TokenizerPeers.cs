using System;
using System.IO;
using System.Linq;
using Attend.Testing;
using MlBertTokenizer = Microsoft.ML.Tokenizers.BertTokenizer;
using MlBertOptions = Microsoft.ML.Tokenizers.BertOptions;

namespace Attend.Benchmarks.Tokenizers;

/// <summary>
/// The two .NET BERT tokenizers a user would pick, configured as Hugging Face's bert-base-uncased (lower-casing,
/// accent stripping, CJK splitting, special tokens in text), loaded from the same vocab.txt as ours.
/// </summary>
internal static class TokenizerPeers
{
    public static MlBertTokenizer CreateMicrosoftMl() => MlBertTokenizer.Create(TokenizerReference.VocabularyPath, new MlBertOptions
    {
        LowerCaseBeforeTokenization = true,
        RemoveNonSpacingMarks = true,
        IndividuallyTokenizeCjk = true,
        ApplyBasicTokenization = true,
        SplitOnSpecialTokens = true,
    });

    public static FastBertTokenizer.BertTokenizer CreateFastBert()
    {
        var tokenizer = new FastBertTokenizer.BertTokenizer();
        using StreamReader reader = File.OpenText(TokenizerReference.VocabularyPath);
        tokenizer.LoadVocabulary(reader, convertInputToLowercase: true);
        return tokenizer;
    }

    public static int[] MicrosoftMlIds(MlBertTokenizer tokenizer, string text, int maxLength) => maxLength == int.MaxValue
        ? tokenizer.EncodeToIds(text, addSpecialTokens: true).ToArray()
        : tokenizer.EncodeToIds(text, maxLength, addSpecialTokens: true, out _, out _).ToArray();

    public static int[] MicrosoftMlPairIds(MlBertTokenizer tokenizer, string first, string second) =>
        tokenizer.BuildInputsWithSpecialTokens(tokenizer.EncodeToIds(first, addSpecialTokens: false), tokenizer.EncodeToIds(second, addSpecialTokens: false)).ToArray();

    public static int[] FastBertIds(FastBertTokenizer.BertTokenizer tokenizer, string text, int maxLength)
    {
        var (inputIds, _, _) = tokenizer.Encode(text, maximumTokens: maxLength == int.MaxValue ? 1_000_000 : maxLength);
        return inputIds.ToArray().Select(id => (int)id).ToArray();
    }
}
