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
    private static readonly Page s_nothingDecomposes = new([], null, null);

    /// <summary>
    /// The decomposition of <paramref name="codePoint"/>, or an empty span when it decomposes to itself.
    /// Allocates only the first time a code point of its page is seen.
    /// </summary>
    public static ReadOnlySpan<char> Of(int codePoint)
    {
        Page page = PageOf(codePoint);
        if (page.Offsets is null)
        {
            return default;
        }

        int slot = codePoint & (PageSize - 1);
        int start = page.Offsets[slot];
        return page.Characters.AsSpan(start, page.Offsets[slot + 1] - start);
    }

    /// <summary>
    /// True for a spacing or enclosing mark with a non-zero canonical combining class: NFD may move it past its
    /// neighbouring marks (U+1D165, U+302E, the Balinese adeg adeg …); most spacing marks are starters and stay put.
    /// </summary>
    public static bool IsReorderableMark(int codePoint)
    {
        Page page = PageOf(codePoint);
        int slot = codePoint & (PageSize - 1);
        return page.ReorderableMarks is not null && (page.ReorderableMarks[slot >> 6] & (1UL << slot)) != 0;
    }

    private static Page PageOf(int codePoint) => s_pages[codePoint >> PageBits] ?? BuildPage(codePoint >> PageBits);

    private static Page BuildPage(int pageIndex)
    {
        var characters = new StringBuilder();
        int[] offsets = new int[PageSize + 1];
        ulong[] reorderable = new ulong[PageSize / 64];
        bool anyReorderable = false;
        for (int slot = 0; slot < PageSize; slot++)
        {
            int codePoint = (pageIndex << PageBits) | slot;
            offsets[slot] = characters.Length;
            if (Rune.IsValid(codePoint) && HasNonZeroCombiningClass(codePoint))
            {
                reorderable[slot >> 6] |= 1UL << slot;
                anyReorderable = true;
            }

            if (Rune.IsValid(codePoint))
            {
                string original = char.ConvertFromUtf32(codePoint);
                if (TryDecompose(original, out string decomposed) && decomposed != original)
                {
                    characters.Append(decomposed);
                }
            }
        }

        offsets[PageSize] = characters.Length;
        Page page = characters.Length == 0 && !anyReorderable
            ? s_nothingDecomposes
            : new Page(characters.ToString().ToCharArray(), characters.Length == 0 ? null : offsets, anyReorderable ? reorderable : null);
        return Interlocked.CompareExchange(ref s_pages[pageIndex], page, null) ?? page;
    }

    /// <summary>
    /// .NET refuses to normalise some code points it calls invalid (noncharacters such as U+FFFE); none of them
    /// has a canonical decomposition, so they stay as they are.
    /// </summary>
    private static bool TryDecompose(string original, out string decomposed)
    {
        try
        {
            decomposed = original.Normalize(NormalizationForm.FormD);
            return true;
        }
        catch (ArgumentException)
        {
            decomposed = original;
            return false;
        }
    }

    /// <summary>
    /// .NET exposes no canonical combining class, so it is read from NFD itself: a mark is a non-starter exactly
    /// when NFD puts it after U+0334 (class 1) or before U+093C (class 7), i.e. its class is above 1 or from 1 to 6.
    /// Only spacing and enclosing marks are asked: the non-spacing ones are removed anyway.
    /// </summary>
    private static bool HasNonZeroCombiningClass(int codePoint)
    {
        UnicodeCategory category = CharUnicodeInfo.GetUnicodeCategory(codePoint);
        if (category is not (UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark))
        {
            return false;
        }

        string mark = char.ConvertFromUtf32(codePoint);
        return (TryDecompose(mark + "\u0334", out string afterClassOne) && afterClassOne.StartsWith('\u0334'))
            || (TryDecompose("\u093C" + mark, out string beforeClassSeven) && beforeClassSeven.EndsWith('\u093C'));
    }

    private sealed record Page(char[] Characters, int[]? Offsets, ulong[]? ReorderableMarks);
}
