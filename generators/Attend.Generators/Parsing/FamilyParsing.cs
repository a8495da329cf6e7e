namespace Attend.Generators.Parsing;

/// <summary>Checks the graph, memory and pooling attributes share, on top of <see cref="DeclarationReader"/>'s.</summary>
internal static class FamilyParsing
{
    /// <summary>The largest .NET array, in elements (<c>Array.MaxLength</c>).</summary>
    public const long MaxArrayLength = OptionChecks.MaxArrayLength;

    /// <summary>Unrolled kernels grow with a row; past this width they spill (ATTEND008 warns).</summary>
    public const int MaxUnrolledWidth = 512;

    /// <summary>
    /// Reports ATTEND027 for every listed argument that is written but has no compile-time value, so the user is told
    /// why instead of reading "is 0"; returns whether all of them resolved.
    /// </summary>
    public static bool RequireResolved(DeclarationReader reader, params string[] properties)
    {
        bool resolved = true;
        foreach (string property in properties)
        {
            if (!reader.IsUnresolved(property)) continue;
            reader.Report(Descriptors.UnresolvedArgument, reader.ArgumentLocation(property), property, reader.TypeName);
            resolved = false;
        }

        return resolved;
    }

    /// <summary>Reports ATTEND023 unless <paramref name="value"/> is positive and finite.</summary>
    public static bool RequirePositiveFinite(DeclarationReader reader, string property, float value, string hint)
    {
        if (value > 0f && !float.IsInfinity(value)) return true;
        reader.Report(Descriptors.NotPositiveFinite, reader.ArgumentLocation(property), property, Text(value), reader.TypeName, hint);
        return false;
    }

    /// <summary>Warns (ATTEND008) when a row the kernels unroll is wider than <see cref="MaxUnrolledWidth"/>.</summary>
    public static void WarnIfWide(DeclarationReader reader, string property, int value)
    {
        if (value > MaxUnrolledWidth) reader.Report(Descriptors.HugeHead, reader.ArgumentLocation(property), property, Text(value), reader.TypeName);
    }

    /// <summary>Reports ATTEND026 when <paramref name="elements"/> exceeds one array's capacity.</summary>
    public static bool RequireFitsInArray(DeclarationReader reader, string what, decimal elements, string reduce, string property)
    {
        if (elements <= MaxArrayLength) return true;
        reader.Report(Descriptors.WeightsTooLarge, reader.ArgumentLocation(property), what, reader.TypeName, Text(elements), reduce);
        return false;
    }

    /// <summary>Floats the packed <c>nn.Linear</c> weight needs: output features rounded up to 16-wide panels (decimal: int.MaxValue³ fits).</summary>
    public static decimal PackedLinearLength(decimal inFeatures, decimal outFeatures) => decimal.Ceiling(outFeatures / 16) * 16 * inFeatures;

    public static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Text(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Text(float value) => value.ToString("R", CultureInfo.InvariantCulture);
}
