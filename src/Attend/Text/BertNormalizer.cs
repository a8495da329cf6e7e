using System;
using System.Buffers;
using System.Globalization;
using System.Text;

namespace Attend.Text;

/// <summary>
/// Hugging Face's <c>BertNormalizer</c>: clean-up, CJK spacing, lower-casing, accent stripping, in that order,
/// each pass into its own scratch buffer because lower-casing looks at its neighbours (final sigma) and
/// decomposition can lengthen the text.
/// </summary>
internal static class BertNormalizer
{
    private const char CapitalSigma = '\u03A3';
    private const char FinalSigma = '\u03C2';
    private const char CapitalIWithDot = '\u0130';
    private const char CombiningDotAbove = '\u0307';

    /// <summary>Normalises <paramref name="text"/> into one of <paramref name="scratch"/>'s buffers and returns it.</summary>
    public static ReadOnlySpan<char> Normalize(ReadOnlySpan<char> text, bool lowerCase, bool stripAccents, bool splitChinese, TokenizerScratch scratch)
    {
        TokenizerScratch.EnsureCapacity(ref scratch.Cleaned, checked(text.Length * 3));
        int cleanedLength = Clean(text, splitChinese, scratch.Cleaned, out bool ascii);
        ReadOnlySpan<char> cleaned = scratch.Cleaned.AsSpan(0, cleanedLength);

        ReadOnlySpan<char> lowered = cleaned;
        if (lowerCase)
        {
            TokenizerScratch.EnsureCapacity(ref scratch.Lowered, checked(cleaned.Length * 2));
            lowered = scratch.Lowered.AsSpan(0, ToLower(cleaned, ascii, scratch.Lowered));
        }

        if (!stripAccents || ascii)
        {
            return lowered;
        }

        return StripAccents(lowered, scratch);
    }

    private static int Clean(ReadOnlySpan<char> text, bool splitChinese, char[] output, out bool ascii)
    {
        int written = 0;
        ascii = true;
        int index = 0;
        while (index < text.Length)
        {
            char c = text[index];
            if (c < 0x80)
            {
                index++;
                if (c is ' ' or '\t' or '\n' or '\r')
                {
                    output[written++] = ' ';
                }
                else if (c >= 0x20 && c != 0x7F)
                {
                    output[written++] = c;
                }

                continue;
            }

            // A lone surrogate decodes as invalid: it is category Cs, which clean-up drops.
            if (Rune.DecodeFromUtf16(text[index..], out Rune rune, out int consumed) != OperationStatus.Done)
            {
                index += consumed;
                continue;
            }

            index += consumed;
            int codePoint = rune.Value;
            if (BertCharacters.IsRemoved(codePoint))
            {
                continue;
            }

            if (BertCharacters.IsWhitespace(codePoint))
            {
                output[written++] = ' ';
                continue;
            }

            ascii = false;
            bool isolate = splitChinese && BertCharacters.IsChinese(codePoint);
            if (isolate)
            {
                output[written++] = ' ';
            }

            written += rune.EncodeToUtf16(output.AsSpan(written));
            if (isolate)
            {
                output[written++] = ' ';
            }
        }

        return written;
    }

    private static int ToLower(ReadOnlySpan<char> text, bool ascii, char[] output)
    {
        if (ascii)
        {
            return Ascii.ToLower(text, output, out int asciiWritten) == OperationStatus.Done ? asciiWritten : throw new InvalidOperationException("ASCII text did not lower-case as ASCII.");
        }

        int written = 0;
        int index = 0;
        while (index < text.Length)
        {
            Rune.DecodeFromUtf16(text[index..], out Rune rune, out int consumed);
            int start = index;
            index += consumed;
            if (rune.Value == CapitalIWithDot)
            {
                // Full case mapping (JavaScript, Rust, Python) gives i + U+0307; .NET's invariant mapping leaves İ alone.
                output[written++] = 'i';
                output[written++] = CombiningDotAbove;
            }
            else if (rune.Value == CapitalSigma)
            {
                output[written++] = IsFinalSigma(text, start, index) ? FinalSigma : char.ToLowerInvariant(CapitalSigma);
            }
            else
            {
                written += Rune.ToLowerInvariant(rune).EncodeToUtf16(output.AsSpan(written));
            }
        }

        return written;
    }

    /// <summary>Unicode's Final_Sigma condition: a cased letter before (case-ignorables between), none after.</summary>
    private static bool IsFinalSigma(ReadOnlySpan<char> text, int sigmaStart, int sigmaEnd)
    {
        int index = sigmaStart;
        bool casedBefore = false;
        while (index > 0)
        {
            Rune.DecodeLastFromUtf16(text[..index], out Rune rune, out int consumed);
            index -= consumed;
            if (!BertCharacters.IsCaseIgnorable(rune.Value))
            {
                casedBefore = BertCharacters.IsCased(rune.Value);
                break;
            }
        }

        if (!casedBefore)
        {
            return false;
        }

        index = sigmaEnd;
        while (index < text.Length)
        {
            Rune.DecodeFromUtf16(text[index..], out Rune rune, out int consumed);
            index += consumed;
            if (!BertCharacters.IsCaseIgnorable(rune.Value))
            {
                return !BertCharacters.IsCased(rune.Value);
            }
        }

        return true;
    }

    /// <summary>
    /// NFD, then every non-spacing mark removed. Each code point is replaced by its canonical decomposition; the
    /// canonical reordering NFD also does only permutes runs of non-starters, so once the non-spacing marks are gone
    /// it can change nothing unless a run keeps two spacing non-starters: only such (rare) text goes through real NFD.
    /// </summary>
    private static ReadOnlySpan<char> StripAccents(ReadOnlySpan<char> text, TokenizerScratch scratch)
    {
        TokenizerScratch.EnsureCapacity(ref scratch.Decomposed, checked(text.Length * 4));
        int written = 0;
        int survivingMarksInRun = 0;
        int index = 0;
        while (index < text.Length)
        {
            Rune.DecodeFromUtf16(text[index..], out Rune rune, out int consumed);
            ReadOnlySpan<char> decomposition = CanonicalDecomposition.Of(rune.Value);
            ReadOnlySpan<char> pieces = decomposition.IsEmpty ? text.Slice(index, consumed) : decomposition;
            index += consumed;
            TokenizerScratch.EnsureCapacity(ref scratch.Decomposed, written + pieces.Length + 2, keep: written);
            int pieceIndex = 0;
            while (pieceIndex < pieces.Length)
            {
                Rune.DecodeFromUtf16(pieces[pieceIndex..], out Rune piece, out int pieceLength);
                UnicodeCategory category = CharUnicodeInfo.GetUnicodeCategory(piece.Value);
                if (category != UnicodeCategory.NonSpacingMark)
                {
                    // A starter ends the run NFD may reorder; a second surviving non-starter in one run needs real NFD.
                    survivingMarksInRun = CanonicalDecomposition.IsReorderableMark(piece.Value) ? survivingMarksInRun + 1 : 0;
                    if (survivingMarksInRun > 1)
                    {
                        return StripAccentsByFullNormalization(text, scratch);
                    }
                }

                if (category != UnicodeCategory.NonSpacingMark)
                {
                    pieces.Slice(pieceIndex, pieceLength).CopyTo(scratch.Decomposed.AsSpan(written));
                    written += pieceLength;
                }

                pieceIndex += pieceLength;
            }
        }

        return scratch.Decomposed.AsSpan(0, written);
    }

    /// <summary>
    /// The exact path for text where canonical ordering could matter; .NET's normaliser allocates here. It refuses
    /// U+FFFE, a starter without decomposition, so the text is normalised in pieces between those.
    /// </summary>
    private static ReadOnlySpan<char> StripAccentsByFullNormalization(ReadOnlySpan<char> text, TokenizerScratch scratch)
    {
        const char RefusedNoncharacter = '\uFFFE';
        int written = 0;
        while (true)
        {
            int end = text.IndexOf(RefusedNoncharacter);
            ReadOnlySpan<char> piece = end < 0 ? text : text[..end];
            int decomposedLength;
            while (!piece.TryNormalize(scratch.Decomposed.AsSpan(written), out decomposedLength, NormalizationForm.FormD))
            {
                TokenizerScratch.EnsureCapacity(ref scratch.Decomposed, checked(scratch.Decomposed.Length * 2), keep: written);
            }

            written += RemoveNonSpacingMarks(scratch.Decomposed.AsSpan(written, decomposedLength));
            if (end < 0)
            {
                return scratch.Decomposed.AsSpan(0, written);
            }

            TokenizerScratch.EnsureCapacity(ref scratch.Decomposed, written + 1, keep: written);
            scratch.Decomposed[written++] = RefusedNoncharacter;
            text = text[(end + 1)..];
        }
    }

    private static int RemoveNonSpacingMarks(Span<char> decomposed)
    {
        int written = 0;
        int index = 0;
        while (index < decomposed.Length)
        {
            Rune.DecodeFromUtf16(decomposed[index..], out Rune rune, out int consumed);
            if (CharUnicodeInfo.GetUnicodeCategory(rune.Value) != UnicodeCategory.NonSpacingMark)
            {
                decomposed.Slice(index, consumed).CopyTo(decomposed[written..]);
                written += consumed;
            }

            index += consumed;
        }

        return written;
    }
}
