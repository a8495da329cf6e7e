using System;

namespace Attend.Kernels;

/// <summary>
/// Argument checks generated <c>Forward</c> methods run before touching memory; each message names the
/// argument, the size expected (with the formula behind it) and the size found.
/// </summary>
public static class ArgumentChecks
{
    /// <summary>Throws when <paramref name="value"/> is not positive.</summary>
    public static void Positive(int value, string name)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive; it was {value}.");
    }

    /// <summary>Throws unless the span holds exactly <paramref name="expected"/> elements.</summary>
    /// <param name="length">The span's length.</param>
    /// <param name="expected">Elements required.</param>
    /// <param name="name">The argument's name.</param>
    /// <param name="formula">How <paramref name="expected"/> was computed, e.g. <c>batch × queryLength × ModelDim = 2 × 7 × 15</c>.</param>
    public static void Length(int length, long expected, string name, string formula)
    {
        if (length != expected)
        {
            throw new ArgumentException($"{name} must hold {formula} = {expected} elements; it holds {length}.", name);
        }
    }
}
