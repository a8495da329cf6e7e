namespace Attend.Generators.Emit;

/// <summary>
/// Members every layer class writes the same way: a documented shape constant, the constructor that leaves the weights
/// zeroed, and the <c>Path</c> / <c>MaxDegreeOfParallelism</c> properties.
/// </summary>
internal static class LayerMembers
{
    /// <summary>A <c>public const int</c> with its summary and <c>[GeneratedCode]</c>, then a blank line.</summary>
    public static void Constant(SourceWriter w, string summary, string name, string value)
    {
        w.Line($"/// <summary>{summary}</summary>");
        w.Line(GeneratedCode.Attribute);
        w.Line($"public const int {name} = {value};");
        w.Line();
    }

    /// <summary>The parameterless constructor; the weights stay zero until <c>LoadWeights</c>.</summary>
    public static void ZeroWeightsConstructor(SourceWriter w, string typeName)
    {
        w.Line("/// <summary>Creates the layer with zeroed weights; call <see cref=\"LoadWeights\"/> before use.</summary>");
        w.Line(GeneratedCode.Attribute);
        using (w.Block($"public {typeName}()"))
        {
        }

        w.Line();
    }

    /// <summary>The <c>Path</c> property (<c>[GeneratedCode]</c> only where <paramref name="attributed"/>, as each kind has always written it).</summary>
    public static void PathProperty(SourceWriter w, bool attributed = true)
    {
        w.Line("/// <summary>The instruction-set path; <see cref=\"global::Attend.KernelPath.Auto\"/> (the default) takes the widest the processor accelerates.</summary>");
        if (attributed) w.Line(GeneratedCode.Attribute);
        w.Line("public global::Attend.KernelPath Path { get; set; }");
        w.Line();
    }

    /// <summary>The <c>MaxDegreeOfParallelism</c> property, documented by <paramref name="summary"/>.</summary>
    public static void ThreadsProperty(SourceWriter w, string summary, bool attributed = true)
    {
        w.Line($"/// <summary>{summary}</summary>");
        if (attributed) w.Line(GeneratedCode.Attribute);
        w.Line("public int MaxDegreeOfParallelism { get; set; } = global::System.Environment.ProcessorCount;");
        w.Line();
    }

    /// <summary>
    /// Writes <c>LoadWeights</c>' parameter and exception docs (after the caller's summary), opens the method and checks
    /// both arguments; the caller writes the reads and the publish, then disposes the scope.
    /// </summary>
    public static SourceWriter.Scope OpenLoadWeights(
        SourceWriter w,
        string source,
        string prefix,
        string missing = "A tensor is missing.",
        string misshapen = "A tensor has the wrong shape; the message gives both shapes.")
    {
        w.Line($"/// <param name=\"source\">{source}</param>");
        w.Line($"/// <param name=\"prefix\">{prefix}</param>");
        w.Line($"/// <exception cref=\"global::System.Collections.Generic.KeyNotFoundException\">{missing}</exception>");
        w.Line($"/// <exception cref=\"global::System.IO.InvalidDataException\">{misshapen}</exception>");
        w.Line(GeneratedCode.Attribute);
        SourceWriter.Scope method = w.Block("public void LoadWeights(global::Attend.IWeightSource source, string prefix = \"\")");
        w.Line("global::System.ArgumentNullException.ThrowIfNull(source);");
        w.Line("global::System.ArgumentNullException.ThrowIfNull(prefix);");
        return method;
    }

    /// <summary>A member's <c>&lt;param&gt;</c> docs, one line each, in the order given.</summary>
    public static void Params(SourceWriter w, params (string Name, string Text)[] parameters)
    {
        foreach ((string name, string text) in parameters) w.Line($"/// <param name=\"{name}\">{text}</param>");
    }

    /// <summary>
    /// Documents that the member throws <c>ArgumentException</c> (<paramref name="throws"/> says when), marks it
    /// <c>[GeneratedCode]</c> and opens it; the caller has written its summary and parameters.
    /// </summary>
    public static SourceWriter.Scope OpenChecked(SourceWriter w, string signature, string throws)
    {
        w.Line($"/// <exception cref=\"global::System.ArgumentException\">{throws}</exception>");
        w.Line(GeneratedCode.Attribute);
        return w.Block(signature);
    }
}
