namespace Attend.Generators.Emit;

/// <summary>
/// The members every generated layer shows its users besides its weights and forward pass: a parameterless constructor
/// that starts from zeroed weights, the instruction-set <c>Path</c>, and the thread cap <c>MaxDegreeOfParallelism</c>.
/// </summary>
internal static class LayerSurfaceEmitter
{
    /// <param name="w">The writer, inside the class body.</param>
    /// <param name="typeName">The class name (the constructor's name).</param>
    /// <param name="noun">What the class is in the docs: "layer", "stack", "model".</param>
    /// <param name="threadsSummary">The XML summary of <c>MaxDegreeOfParallelism</c>.</param>
    public static void Emit(SourceWriter w, string typeName, string noun, string threadsSummary)
    {
        w.Line($"/// <summary>Creates the {noun} with zeroed weights; call <see cref=\"LoadWeights\"/> before use.</summary>");
        w.Line(GeneratedCode.Attribute);
        using (w.Block($"public {typeName}()"))
        {
        }

        w.Line();
        w.Line("/// <summary>The instruction-set path; <see cref=\"global::Attend.KernelPath.Auto\"/> (the default) takes the widest the processor accelerates.</summary>");
        w.Line(GeneratedCode.Attribute);
        w.Line("public global::Attend.KernelPath Path { get; set; }");
        w.Line();
        w.Line($"/// <summary>{threadsSummary}</summary>");
        w.Line(GeneratedCode.Attribute);
        w.Line("public int MaxDegreeOfParallelism { get; set; } = global::System.Environment.ProcessorCount;");
        w.Line();
    }

    /// <summary>The thread-cap summary of the blocks, whose passes run many kernels.</summary>
    public const string BlockThreads = "Most threads one forward pass uses; 1 runs on the caller's thread.";
}
