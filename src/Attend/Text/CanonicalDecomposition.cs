using System;
using System.Globalization;
using System.Text;
using System.Threading;

namespace Attend.Text;

/// <summary>
/// Canonical decomposition (the first half of NFD) per code point, from tables built lazily one 256-code-point
/// page at a time with <see cref="string.Normalize(NormalizationForm)"/>. It exists because .NET's span
/// <c>TryNormalize</c> allocates on every call that meets a non-ASCII character, and the batch API must not
/// allocate. Memory stays bounded: only the few thousand code points that decompose are stored.
/// </summary>
internal static class CanonicalDecomposition
{
    private const int PageBits = 8;
    private const int PageSize = 1 << PageBits;
    private static readonly Page?[] s_pages = new Page?[(0x10FFFF >> PageBits) + 1];
    private static readonly Page s_nothingDecomposes = new([], null);

    /// <summary>
    /// The decomposition of <paramref name="codePoint"/>, or an empty span when it decomposes to itself.
    /// Allocates only the first time a code point of its page is seen.
    /// </summary>
    public static ReadOnlySpan<char> Of(int codePoint)
    {
        Page page = s_pages[codePoint >> PageBits] ?? BuildPage(codePoint >> PageBits);
        if (page.Offsets is null)
        {
            return default;
        }

        int slot = codePoint & (PageSize - 1);
        int start = page.Offsets[slot];
        return page.Characters.AsSpan(start, page.Offsets[slot + 1] - start);
    }

    private static Page BuildPage(int pageIndex)
    {
        var characters = new StringBuilder();
        int[] offsets = new int[PageSize + 1];
        for (int slot = 0; slot < PageSize; slot++)
        {
            int codePoint = (pageIndex << PageBits) | slot;
            offsets[slot] = characters.Length;
            if (Rune.IsValid(codePoint))
            {
                string original = char.ConvertFromUtf32(codePoint);
                string decomposed = original.Normalize(NormalizationForm.FormD);
                if (decomposed != original)
                {
                    characters.Append(decomposed);
                }
            }
        }

        offsets[PageSize] = characters.Length;
        Page page = characters.Length == 0 ? s_nothingDecomposes : new Page(characters.ToString().ToCharArray(), offsets);
        return Interlocked.CompareExchange(ref s_pages[pageIndex], page, null) ?? page;
    }

    /// <summary>True for the marks that canonical ordering may move: a run of marks holding two that survive accent stripping needs real NFD.</summary>
    public static bool IsMark(UnicodeCategory category) =>
        category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;

    private sealed record Page(char[] Characters, int[]? Offsets);
}
