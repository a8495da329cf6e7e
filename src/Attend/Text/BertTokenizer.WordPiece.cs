using System;
using System.Text;

namespace Attend.Text;

public sealed partial class BertTokenizer
{
    /// <summary>
    /// Appends the WordPiece ids of <paramref name="text"/> (no <c>[CLS]</c>/<c>[SEP]</c>) to <paramref name="ids"/>.
    /// Special tokens written in the text are matched first, case-sensitively and before normalisation, because
    /// Hugging Face's added tokens are declared <c>normalized: false</c>; the text between them is encoded apart.
    /// </summary>
    private void AppendTextIds(ReadOnlySpan<char> text, ref int[] ids, ref int count, TokenizerScratch scratch)
    {
        int sectionStart = 0;
        int index = 0;
        while (index < text.Length)
        {
            int bracket = text[index..].IndexOf('[');
            if (bracket < 0)
            {
                break;
            }

            index += bracket;
            int special = SpecialTokenAt(text[index..]);
            if (special < 0)
            {
                index++;
                continue;
            }

            AppendSectionIds(text[sectionStart..index], ref ids, ref count, scratch);
            Append(ref ids, ref count, _specialTokenIds[special]);
            index += _specialTokens[special].Length;
            sectionStart = index;
        }

        AppendSectionIds(text[sectionStart..], ref ids, ref count, scratch);
    }

    private int SpecialTokenAt(ReadOnlySpan<char> text)
    {
        for (int i = 0; i < _specialTokens.Length; i++)
        {
            if (text.StartsWith(_specialTokens[i], StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>BertPreTokenizer: words end at whitespace, and every punctuation character is a word of its own.</summary>
    private void AppendSectionIds(ReadOnlySpan<char> section, ref int[] ids, ref int count, TokenizerScratch scratch)
    {
        if (section.IsEmpty)
        {
            return;
        }

        ReadOnlySpan<char> normalized = BertNormalizer.Normalize(section, Options.LowerCase, _stripAccents, Options.SplitChineseCharacters, scratch);
        int wordStart = -1;
        int index = 0;
        while (index < normalized.Length)
        {
            int codePoint = normalized[index];
            int consumed = 1;
            if (codePoint >= 0x80)
            {
                Rune.DecodeFromUtf16(normalized[index..], out Rune rune, out consumed);
                codePoint = rune.Value;
            }

            bool whitespace = BertCharacters.IsWhitespace(codePoint);
            if (whitespace || BertCharacters.IsPunctuation(codePoint))
            {
                if (wordStart >= 0)
                {
                    AppendWordIds(normalized[wordStart..index], ref ids, ref count);
                    wordStart = -1;
                }

                if (!whitespace)
                {
                    AppendWordIds(normalized.Slice(index, consumed), ref ids, ref count);
                }
            }
            else if (wordStart < 0)
            {
                wordStart = index;
            }

            index += consumed;
        }

        if (wordStart >= 0)
        {
            AppendWordIds(normalized[wordStart..], ref ids, ref count);
        }
    }

    /// <summary>
    /// Greedy longest-match-first WordPiece. A word longer than <see cref="BertTokenizerOptions.MaxCharactersPerWord"/>
    /// code points, or one with a part no piece matches, becomes a single <c>[UNK]</c>. Pieces end on code point boundaries.
    /// </summary>
    private void AppendWordIds(ReadOnlySpan<char> word, ref int[] ids, ref int count)
    {
        if (word.Length > Options.MaxCharactersPerWord && CountCodePoints(word) > Options.MaxCharactersPerWord)
        {
            Append(ref ids, ref count, UnknownId);
            return;
        }

        int wordStartCount = count;
        int start = 0;
        while (start < word.Length)
        {
            int end = Math.Min(word.Length, start + _vocabulary.LongestPiece);
            if (end < word.Length && char.IsLowSurrogate(word[end]))
            {
                end--;
            }

            int id = -1;
            while (end > start)
            {
                ReadOnlySpan<char> piece = word[start..end];
                bool found = start == 0 ? _vocabulary.TryGetWordStart(piece, out id) : _vocabulary.TryGetContinuation(piece, out id);
                if (found)
                {
                    break;
                }

                id = -1;
                end -= end - start >= 2 && char.IsLowSurrogate(word[end - 1]) ? 2 : 1;
            }

            if (id < 0)
            {
                count = wordStartCount;
                Append(ref ids, ref count, UnknownId);
                return;
            }

            Append(ref ids, ref count, id);
            start = end;
        }
    }

    private static int CountCodePoints(ReadOnlySpan<char> text)
    {
        int count = text.Length;
        foreach (char c in text)
        {
            if (char.IsLowSurrogate(c))
            {
                count--;
            }
        }

        return count;
    }

    private static void Append(ref int[] ids, ref int count, int id)
    {
        TokenizerScratch.EnsureCapacity(ref ids, count + 1, keep: count);
        ids[count++] = id;
    }
}
