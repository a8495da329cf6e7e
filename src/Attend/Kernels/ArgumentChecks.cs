using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace Attend.Kernels;

/// <summary>
/// Argument checks generated <c>Forward</c> methods run before touching memory; each message names the
/// argument, the size expected (with the formula behind it) and the size found.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)] // only generated code calls it: kept out of users' IntelliSense
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
        if (length != expected) throw LengthMismatch(length, expected, name, formula);
    }

    /// <summary>
    /// Throws unless the span holds exactly <paramref name="expected"/> elements. The interpolated <paramref name="formula"/>
    /// is formatted only when the check fails, so a passing check (every warm <c>Forward</c>) allocates nothing.
    /// </summary>
    /// <param name="length">The span's length.</param>
    /// <param name="expected">Elements required.</param>
    /// <param name="name">The argument's name.</param>
    /// <param name="formula">How <paramref name="expected"/> was computed, e.g. <c>$"batch × ModelDim = {batch} × {ModelDim}"</c>.</param>
    public static void Length(int length, long expected, string name, [InterpolatedStringHandlerArgument("length", "expected")] ref LengthFormulaHandler formula)
    {
        if (length != expected) throw LengthMismatch(length, expected, name, formula.ToStringAndClear());
    }

    private static ArgumentException LengthMismatch(int length, long expected, string name, string formula) =>
        new($"{name} must hold {formula} = {expected} elements; it holds {length}.", name);

    /// <summary>Builds a <see cref="Length(int, long, string, ref LengthFormulaHandler)"/> formula only when the lengths differ.</summary>
    [InterpolatedStringHandler]
    public ref struct LengthFormulaHandler
    {
        private DefaultInterpolatedStringHandler _text;
        private readonly bool _needed;

        /// <summary>Called by the compiler; formats nothing unless <paramref name="length"/> differs from <paramref name="expected"/>.</summary>
        public LengthFormulaHandler(int literalLength, int formattedCount, int length, long expected, out bool needed)
        {
            _needed = needed = length != expected;
            _text = needed ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
        }

        /// <summary>Called by the compiler for the literal parts.</summary>
        public void AppendLiteral(string value) => _text.AppendLiteral(value);

        /// <summary>Called by the compiler for the holes.</summary>
        public void AppendFormatted<T>(T value) => _text.AppendFormatted(value);

        /// <summary>The formula, or an empty string when the lengths matched.</summary>
        public string ToStringAndClear() => _needed ? _text.ToStringAndClear() : "";
    }
}
