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
    /// <param name="weightPrecision">The declaration's <c>WeightPrecision</c> (a <c>BlockOptions.WeightPrecisionNames</c> index) for
    /// layers whose projections can be stored compactly, or null for the others.</param>
    public static void Emit(SourceWriter w, string typeName, string noun, string threadsSummary, int? weightPrecision = null)
    {
        w.Line($"/// <summary>Creates the {noun} with zeroed weights; call <see cref=\"LoadWeights\"/> before use.</summary>");
        w.Line(GeneratedCode.Attribute);
        using (w.Block($"public {typeName}()"))
        {
        }

        w.Line();
        LayerMembers.PathProperty(w);
        LayerMembers.ThreadsProperty(w, $"{threadsSummary}");
        if (weightPrecision is int precision)
        {
            w.Lines("""
                /// <summary>
                /// How the next <see cref="LoadWeights"/> stores the projection weights (float32, bf16 or int8 with per-output scales);
                /// starts at the attribute's value. Activations, attention and norms stay float32 whatever it is.
                /// </summary>
                """);
            w.Line(GeneratedCode.Attribute);
            w.Line($"public global::Attend.WeightPrecision WeightPrecision {{ get; set; }} = global::Attend.WeightPrecision.{Model.BlockOptions.WeightPrecisionNames[precision]};");
            w.Line();
        }
    }

    /// <summary>The thread-cap summary of the blocks, whose passes run many kernels.</summary>
    public const string BlockThreads = "Most threads one forward pass uses; 1 runs on the caller's thread.";
}
