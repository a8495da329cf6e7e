using System.Globalization;
using System.Text;

namespace Attend.Text;

/// <summary>
/// The character classes Hugging Face's BERT normaliser and pre-tokeniser use, per code point.
/// </summary>
internal static class BertCharacters
{
    /// <summary>Dropped by clean-up: NUL, U+FFFD and the "other" categories except Cn (tab, CR and LF count as whitespace instead).</summary>
    public static bool IsRemoved(int codePoint)
    {
        if (codePoint is 0 or 0xFFFD)
        {
            return true;
        }

        if (codePoint is '\t' or '\n' or '\r')
        {
            return false;
        }

        UnicodeCategory category = CharUnicodeInfo.GetUnicodeCategory(codePoint);
        return category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate;
    }

    /// <summary>JavaScript's <c>\s</c> and Rust's <c>char::is_whitespace</c> agree on every character clean-up keeps.</summary>
    public static bool IsWhitespace(int codePoint) => codePoint switch
    {
        ' ' or '\t' or '\n' or '\r' or '\v' or '\f' => true,
        < 0x80 => false,
        0x00A0 or 0x1680 or 0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000 or 0xFEFF => true,
        >= 0x2000 and <= 0x200A => true,
        _ => false,
    };

    /// <summary>Unicode punctuation (P*) and every printable ASCII character that is neither a letter nor a digit.</summary>
    public static bool IsPunctuation(int codePoint)
    {
        if (codePoint < 0x80)
        {
            return codePoint is (>= 0x21 and <= 0x2F) or (>= 0x3A and <= 0x40) or (>= 0x5B and <= 0x60) or (>= 0x7B and <= 0x7E);
        }

        UnicodeCategory category = CharUnicodeInfo.GetUnicodeCategory(codePoint);
        return category is >= UnicodeCategory.ConnectorPunctuation and <= UnicodeCategory.OtherPunctuation;
    }

    /// <summary>The CJK Unified Ideographs blocks and their extensions, as BERT's original tokenizer lists them.</summary>
    public static bool IsChinese(int codePoint) =>
        codePoint is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2A6DF)
            or (>= 0x2A700 and <= 0x2B73F) or (>= 0x2B740 and <= 0x2B81F) or (>= 0x2B820 and <= 0x2CEAF)
            or (>= 0xF900 and <= 0xFAFF) or (>= 0x2F800 and <= 0x2FA1F);

    /// <summary>Unicode's "cased" property, approximated by the letter case categories plus anything with a case mapping (Ⓐ, Ⅻ).</summary>
    public static bool IsCased(int codePoint)
    {
        UnicodeCategory category = CharUnicodeInfo.GetUnicodeCategory(codePoint);
        if (category is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter)
        {
            return true;
        }

        Rune rune = new(codePoint);
        return Rune.ToLowerInvariant(rune) != rune || Rune.ToUpperInvariant(rune) != rune;
    }

    /// <summary>Unicode's "case-ignorable" property: marks, format characters, modifiers and the word-internal apostrophes and stops.</summary>
    public static bool IsCaseIgnorable(int codePoint)
    {
        if (codePoint is '\'' or '.' or ':' or 0x00B7 or 0x0387 or 0x055F or 0x05F4 or 0x2018 or 0x2019 or 0x2024 or 0x2027
            or 0xFE13 or 0xFE52 or 0xFE55 or 0xFF07 or 0xFF0E or 0xFF1A)
        {
            return true;
        }

        UnicodeCategory category = CharUnicodeInfo.GetUnicodeCategory(codePoint);
        return category is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format
            or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol;
    }
}
