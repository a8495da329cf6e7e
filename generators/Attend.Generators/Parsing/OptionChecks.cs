namespace Attend.Generators.Parsing;

/// <summary>Checks the channel-attention and score-attention parsers share, each reporting its diagnostic on the argument.</summary>
internal static class OptionChecks
{
    /// <summary>The most elements a .NET array holds (<c>Array.MaxLength</c>, which netstandard2.0 lacks).</summary>
    public const long MaxArrayLength = 0x7FFFFFC7;

    /// <summary>Kernels wider than this are not unrolled into emitted code.</summary>
    public const int MaxUnrolledKernel = 15;

    /// <summary>Runs <paramref name="read"/> inside the generator's never-throw guard (ATTEND010 instead of a crash).</summary>
    public static ParseResult<TSpec> Parse<TSpec>(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken, Func<DeclarationReader, LayerIdentity?, TSpec?> read)
        where TSpec : class
    {
        var reader = new DeclarationReader(context);
        try
        {
            LayerIdentity? identity = reader.ReadIdentity(cancellationToken);
            TSpec? spec = read(reader, identity);
            return new ParseResult<TSpec>(identity is null ? null : spec, reader.Diagnostics.ToEquatableArray());
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            reader.Report(Descriptors.InternalError, context.TargetNode.GetLocation(), reader.TypeName, exception.GetType().Name + ": " + exception.Message);
            return new ParseResult<TSpec>(null, reader.Diagnostics.ToEquatableArray());
        }
    }

    /// <summary>
    /// Reports ATTEND032 unless <paramref name="value"/> is a member of <typeparamref name="TEnum"/> (the runtime's own enum linked
    /// into the generator). Every attribute reports an undefined enum value through this one rule, so the same mistake gets the
    /// same diagnostic whatever the attribute.
    /// </summary>
    public static bool RequireDefined<TEnum>(DeclarationReader reader, string property, int value)
        where TEnum : struct, Enum =>
        RequireDefined(reader, property, value, typeof(TEnum).Name, Enum.GetNames(typeof(TEnum)));

    /// <summary>Reports ATTEND032 unless <paramref name="value"/> indexes <paramref name="names"/> (the members of <paramref name="enumName"/>).</summary>
    public static bool RequireDefined(DeclarationReader reader, string property, int value, string enumName, string[] names)
    {
        if (value >= 0 && value < names.Length) return true;
        reader.Report(Descriptors.UndefinedOption, reader.ArgumentLocation(property), property, Text(value), reader.TypeName,
            string.Join(", ", names.Select(n => enumName + "." + n)));
        return false;
    }

    /// <summary>Reports ATTEND031 when a positive kernel size is even.</summary>
    public static bool RequireOdd(DeclarationReader reader, string property, int value)
    {
        if (value <= 0 || value % 2 == 1) return true;
        reader.Report(Descriptors.EvenKernelSize, reader.ArgumentLocation(property), property, Text(value), reader.TypeName, Text(value - 1), Text(value + 1));
        return false;
    }

    /// <summary>Reports ATTEND035 when <paramref name="value"/> exceeds <paramref name="limit"/>.</summary>
    public static bool RequireAtMost(DeclarationReader reader, string property, string what, long value, long limit, string why)
    {
        if (value <= limit) return true;
        reader.Report(Descriptors.SizeExceedsLimit, reader.ArgumentLocation(property), what, value.ToString(CultureInfo.InvariantCulture), reader.TypeName,
            limit.ToString(CultureInfo.InvariantCulture), why);
        return false;
    }

    /// <summary>Reports ATTEND035 when a weight of <paramref name="rows"/> × <paramref name="columns"/> would not fit in one array.</summary>
    public static bool RequireWeightFits(DeclarationReader reader, string property, string what, long rows, long columns) =>
        RequireAtMost(reader, property, what, rows * columns, MaxArrayLength, "the weight would not fit in one .NET array; use smaller sizes");

    /// <summary>Reports the ATTEND034 warning that <paramref name="property"/> was set but is ignored.</summary>
    public static void WarnIfSet(DeclarationReader reader, string property, string reason)
    {
        if (reader.IsSet(property)) reader.Report(Descriptors.UnusedOption, reader.ArgumentLocation(property), property, reader.TypeName, reason);
    }

    public static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
