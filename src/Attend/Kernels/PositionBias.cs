using System;
using System.ComponentModel;

namespace Attend.Kernels;

/// <summary>
/// Additive score biases that encode positions, written as a dense <c>[heads, queryLength, keyLength]</c> block the
/// attention driver adds to the scores (mask strides: batch 0, head <c>queryLength · keyLength</c>, row
/// <c>keyLength</c>). Query row <c>i</c> sits at position <c>firstQueryPosition + i</c>, key <c>j</c> at position <c>j</c>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)] // only generated code calls it: kept out of users' IntelliSense
public static class PositionBias
{
    /// <summary>
    /// ALiBi head slopes (Press et al., "Train Short, Test Long"): for <c>n</c> heads, a power of two,
    /// <c>m_h = 2^(−8(h + 1)/n)</c>; otherwise the slopes of the largest power of two below <c>n</c>, followed by every
    /// other slope of twice that many heads.
    /// </summary>
    /// <exception cref="ArgumentException">The span is not <paramref name="heads"/> long.</exception>
    public static void AlibiSlopes(int heads, Span<float> slopes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(heads);
        SpanChecks.Exact(slopes.Length, heads, nameof(slopes), "heads");
        int power = 1;
        while (power * 2 <= heads) power *= 2;
        for (int h = 0; h < power; h++) slopes[h] = (float)Math.Pow(2.0, -8.0 * (h + 1) / power);
        for (int h = power; h < heads; h++) slopes[h] = (float)Math.Pow(2.0, -8.0 * (2 * (h - power) + 1) / (2 * power));
    }

    /// <summary>ALiBi: <c>bias[h, i, j] = −m_h · |firstQueryPosition + i − j|</c>.</summary>
    /// <exception cref="ArgumentException">The output is not <c>heads × queryLength × keyLength</c> long.</exception>
    public static void Alibi(int heads, int queryLength, int keyLength, int firstQueryPosition, Span<float> bias)
    {
        CheckShape(heads, queryLength, keyLength, bias);
        Span<float> slopes = heads <= 128 ? stackalloc float[heads] : new float[heads];
        AlibiSlopes(heads, slopes);
        for (int h = 0; h < heads; h++)
        {
            for (int i = 0; i < queryLength; i++)
            {
                Span<float> row = bias.Slice((h * queryLength + i) * keyLength, keyLength);
                int position = firstQueryPosition + i;
                for (int j = 0; j < keyLength; j++) row[j] = -slopes[h] * Math.Abs(position - j);
            }
        }
    }

    /// <summary>
    /// Learned 1-D relative bias: <c>bias[h, i, j] = table[(p_i − j) + maxLength − 1, h]</c> with <c>p_i = firstQueryPosition + i</c>,
    /// the table <c>[2·maxLength − 1, heads]</c> (Swin's <c>relative_position_bias_table</c> layout, offsets query − key).
    /// </summary>
    /// <exception cref="ArgumentException">A shape is wrong, or a position lies beyond <paramref name="maxLength"/>.</exception>
    public static void Relative1D(ReadOnlySpan<float> table, int maxLength, int heads, int queryLength, int keyLength, int firstQueryPosition, Span<float> bias)
    {
        CheckShape(heads, queryLength, keyLength, bias);
        SpanChecks.Exact(table.Length, (2L * maxLength - 1) * heads, nameof(table), $"(2 · maxLength − 1) × heads = {2 * maxLength - 1} × {heads}");
        if (keyLength > maxLength || firstQueryPosition + queryLength > maxLength)
        {
            throw new ArgumentException($"Positions up to {Math.Max(keyLength, firstQueryPosition + queryLength) - 1} need a table for MaxLength ≥ {Math.Max(keyLength, firstQueryPosition + queryLength)}; it covers {maxLength}.", nameof(keyLength));
        }

        for (int h = 0; h < heads; h++)
        {
            for (int i = 0; i < queryLength; i++)
            {
                Span<float> row = bias.Slice((h * queryLength + i) * keyLength, keyLength);
                int position = firstQueryPosition + i;
                for (int j = 0; j < keyLength; j++) row[j] = table[(position - j + maxLength - 1) * heads + h];
            }
        }
    }

    /// <summary>
    /// Learned 2-D relative bias for tokens on a row-major <c>gridHeight × gridWidth</c> grid (position <c>p</c> at row
    /// <c>p / gridWidth</c>, column <c>p mod gridWidth</c>): <c>bias[h, i, j] = table[(Δr + gridHeight − 1)·(2·gridWidth − 1) + Δc + gridWidth − 1, h]</c>,
    /// <c>Δ</c> the query's row and column minus the key's; the table is <c>[(2·gridHeight − 1)(2·gridWidth − 1), heads]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A shape is wrong, or a position lies beyond the grid.</exception>
    public static void Relative2D(ReadOnlySpan<float> table, int gridHeight, int gridWidth, int heads, int queryLength, int keyLength, int firstQueryPosition, Span<float> bias)
    {
        CheckShape(heads, queryLength, keyLength, bias);
        int span = 2 * gridWidth - 1;
        SpanChecks.Exact(table.Length, (2L * gridHeight - 1) * span * heads, nameof(table), $"(2 · gridHeight − 1) × (2 · gridWidth − 1) × heads = {2 * gridHeight - 1} × {span} × {heads}");
        int cells = gridHeight * gridWidth;
        if (keyLength > cells || firstQueryPosition + queryLength > cells)
        {
            throw new ArgumentException($"Positions up to {Math.Max(keyLength, firstQueryPosition + queryLength) - 1} do not fit the {gridHeight} × {gridWidth} grid.", nameof(keyLength));
        }

        for (int h = 0; h < heads; h++)
        {
            for (int i = 0; i < queryLength; i++)
            {
                Span<float> row = bias.Slice((h * queryLength + i) * keyLength, keyLength);
                int position = firstQueryPosition + i;
                int queryRow = position / gridWidth, queryColumn = position % gridWidth;
                for (int j = 0; j < keyLength; j++)
                {
                    int index = (queryRow - j / gridWidth + gridHeight - 1) * span + (queryColumn - j % gridWidth + gridWidth - 1);
                    row[j] = table[index * heads + h];
                }
            }
        }
    }

    private static void CheckShape(int heads, int queryLength, int keyLength, Span<float> bias)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(heads);
        ArgumentOutOfRangeException.ThrowIfNegative(queryLength);
        ArgumentOutOfRangeException.ThrowIfNegative(keyLength);
        SpanChecks.Exact(bias.Length, (long)heads * queryLength * keyLength, nameof(bias), $"heads × queryLength × keyLength = {heads} × {queryLength} × {keyLength}");
    }
}
