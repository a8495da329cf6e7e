using System;
using System.Runtime.CompilerServices;

namespace Attend.Kernels;

/// <summary>Length and aliasing checks shared by the row and element-wise kernels.</summary>
internal static class SpanChecks
{
    public static void Exact(int length, long expected, string name, string formula)
    {
        if (length != expected)
        {
            throw new ArgumentException($"{name} must hold {formula} = {expected} floats; it holds {length}.", name);
        }
    }

    /// <summary>As <see cref="Exact(int, long, string, string)"/>, formatting the interpolated formula only when the check fails.</summary>
    public static void Exact(int length, long expected, string name, [InterpolatedStringHandlerArgument("length", "expected")] ref ArgumentChecks.LengthFormulaHandler formula)
    {
        if (length != expected) Exact(length, expected, name, formula.ToStringAndClear());
    }

    public static void ExactOrEmpty(int length, long expected, string name, string formula)
    {
        if (length != 0 && length != expected)
        {
            throw new ArgumentException($"{name} must be empty or hold {formula} = {expected} floats; it holds {length}.", name);
        }
    }

    /// <summary>
    /// The kernels read each element before writing the same index, so <paramref name="output"/> may be the very
    /// span <paramref name="input"/> is (in place), but not a shifted view of it.
    /// </summary>
    public static void SameOrDisjoint(ReadOnlySpan<float> input, Span<float> output, string inputName, string outputName)
    {
        if (((ReadOnlySpan<float>)output).Overlaps(input, out int offset) && offset != 0)
        {
            throw new ArgumentException($"{outputName} may be {inputName} itself (in place) but must not partially overlap it.", outputName);
        }
    }
}
