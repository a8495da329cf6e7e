using System;
using System.ComponentModel;

namespace Attend.Kernels;

/// <summary>Position tables added to token embeddings.</summary>
[EditorBrowsable(EditorBrowsableState.Never)] // only generated code calls it: kept out of users' IntelliSense
public static class PositionTables
{
    /// <summary>
    /// The sinusoidal encoding of "Attention Is All You Need" for positions <c>[firstPosition, firstPosition + count)</c>:
    /// <c>table[t, 2i] = sin(p / 10000^(2i/features))</c>, <c>table[t, 2i+1] = cos(p / 10000^(2i/features))</c>, <c>p = firstPosition + t</c>,
    /// computed in double precision and rounded once.
    /// </summary>
    /// <exception cref="ArgumentException">The table is not <c>count × features</c> long.</exception>
    public static void Sinusoidal(int firstPosition, int count, int features, Span<float> table)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstPosition);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        SpanChecks.Exact(table.Length, (long)count * features, nameof(table), $"count × features = {count} × {features}");
        for (int t = 0; t < count; t++)
        {
            double position = firstPosition + t;
            Span<float> row = table.Slice(t * features, features);
            for (int i = 0; i < features; i += 2)
            {
                double angle = position * Math.Exp(-Math.Log(10000.0) * i / features);
                row[i] = (float)Math.Sin(angle);
                if (i + 1 < features) row[i + 1] = (float)Math.Cos(angle);
            }
        }
    }
}
