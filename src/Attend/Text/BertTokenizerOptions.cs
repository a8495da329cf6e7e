namespace Attend.Text;

/// <summary>
/// How a <see cref="BertTokenizer"/> normalises and frames text. The defaults are Hugging Face's
/// <c>BertTokenizer</c> for uncased checkpoints (bert-base-uncased, all-MiniLM-L6-v2).
/// </summary>
public sealed record BertTokenizerOptions
{
    /// <summary>Lower-cases text before WordPiece (<c>do_lower_case</c>); <see langword="true"/> for uncased checkpoints.</summary>
    public bool LowerCase { get; init; } = true;

    /// <summary>
    /// Removes accents (canonical decomposition, then every non-spacing mark is dropped); <see langword="null"/>
    /// follows <see cref="LowerCase"/>, as Hugging Face's <c>strip_accents=None</c> does.
    /// </summary>
    public bool? StripAccents { get; init; }

    /// <summary>Puts every CJK ideograph in a word of its own (<c>tokenize_chinese_chars</c>).</summary>
    public bool SplitChineseCharacters { get; init; } = true;

    /// <summary>Longest sequence, special tokens included, that encoding produces; longer input is truncated (<c>model_max_length</c>).</summary>
    public int MaxLength { get; init; } = 512;

    /// <summary>Words longer than this many code points become the unknown token (<c>max_input_chars_per_word</c>).</summary>
    public int MaxCharactersPerWord { get; init; } = 100;

    /// <summary>The unknown token.</summary>
    public string UnknownToken { get; init; } = "[UNK]";

    /// <summary>The token that opens every sequence.</summary>
    public string ClassificationToken { get; init; } = "[CLS]";

    /// <summary>The token that closes each text of a sequence.</summary>
    public string SeparatorToken { get; init; } = "[SEP]";

    /// <summary>The token that pads a sequence to the batch's length.</summary>
    public string PaddingToken { get; init; } = "[PAD]";

    /// <summary>The mask token; recognised in input text like the other special tokens when the vocabulary holds it.</summary>
    public string MaskToken { get; init; } = "[MASK]";

    /// <summary>The prefix of WordPiece pieces that continue a word.</summary>
    public string ContinuingSubwordPrefix { get; init; } = "##";
}
