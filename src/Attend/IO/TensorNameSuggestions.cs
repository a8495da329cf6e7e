using System;
using System.Collections.Generic;
using System.Linq;

namespace Attend;

/// <summary>
/// Builds the <see cref="KeyNotFoundException"/> for a missing tensor, listing the closest names so
/// that a wrong prefix or a typo ("out_proj.weights") is obvious from the message alone.
/// </summary>
internal static class TensorNameSuggestions
{
    internal const int MaxSuggestions = 10;

    /// <summary>Names beyond this length are compared by their first characters only, to bound the cost.</summary>
    private const int MaxComparedLength = 256;

    /// <summary>The exception for a lookup of <paramref name="name"/> that found nothing.</summary>
    internal static KeyNotFoundException Missing(string name, IReadOnlyCollection<string> names, string source)
    {
        if (names.Count == 0)
            return new KeyNotFoundException($"No tensor named '{name}' in {source}: it holds no tensors.");
        string near = string.Join(", ", Nearest(name, names, MaxSuggestions).Select(n => $"'{n}'"));
        return new KeyNotFoundException($"No tensor named '{name}' in {source} ({names.Count} tensors). Nearest names: {near}.");
    }

    /// <summary>Up to <paramref name="count"/> names ordered by edit distance to <paramref name="name"/>, then ordinally.</summary>
    internal static IReadOnlyList<string> Nearest(string name, IEnumerable<string> names, int count) =>
        names
            .Select(candidate => (Name: candidate, Distance: EditDistance(name, candidate)))
            .OrderBy(pair => pair.Distance)
            .ThenBy(pair => pair.Name, StringComparer.Ordinal)
            .Take(count)
            .Select(pair => pair.Name)
            .ToArray();

    /// <summary>Levenshtein distance over the first <see cref="MaxComparedLength"/> characters.</summary>
    internal static int EditDistance(string a, string b)
    {
        ReadOnlySpan<char> left = a.AsSpan(0, Math.Min(a.Length, MaxComparedLength));
        ReadOnlySpan<char> right = b.AsSpan(0, Math.Min(b.Length, MaxComparedLength));
        Span<int> previous = stackalloc int[right.Length + 1];
        Span<int> current = stackalloc int[right.Length + 1];
        for (int j = 0; j <= right.Length; j++) previous[j] = j;
        for (int i = 1; i <= left.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= right.Length; j++)
            {
                int substitution = previous[j - 1] + (left[i - 1] == right[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }
            Span<int> swap = previous;
            previous = current;
            current = swap;
        }
        return previous[right.Length];
    }
}
