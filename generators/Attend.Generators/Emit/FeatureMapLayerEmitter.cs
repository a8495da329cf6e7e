namespace Attend.Generators.Emit;

/// <summary>What the channel/spatial attention layers (SE, ECA, CBAM) emit alike: properties, <c>LoadWeights</c>' shell and <c>Forward</c>.</summary>
internal static class FeatureMapLayerEmitter
{
    /// <summary>A tensor <c>LoadWeights</c> reads: PyTorch name, the field it lands in, and its shape as C# expressions.</summary>
    public sealed record Weight(string Name, string Field, string[] Shape);

    /// <summary>An optional per-call output of <c>Forward</c> (the factors the layer multiplied by).</summary>
    public sealed record ScaleOutput(string Parameter, string Shape, string Formula, string Length, string Description);

    public static void EmitPathProperties(SourceWriter w)
    {
        LayerMembers.PathProperty(w);
        LayerMembers.ThreadsProperty(w, "Most threads one <see cref=\"Forward\"/> uses (samples of the batch run in parallel); 1 runs on the caller's thread. Results are identical whatever the value.");
    }

    public static void EmitFields(SourceWriter w, List<Weight> weights)
    {
        w.Lines("""
            // The weights in use. LoadWeights reads a whole new set, then publishes it with one reference write, so a
            // Forward running meanwhile computes with the old set or the new one, never a mix of the two.
            private LayerWeights _weights = new LayerWeights();
            """);
        w.Line();
        w.Line("// One complete set of weights; never written once published.");
        using (w.Block("private sealed class LayerWeights"))
        {
            foreach (Weight weight in weights)
            {
                // Trailing 1×1 kernel dimensions add nothing to the length.
                w.Line($"public readonly float[] {Member(weight)} = new float[{string.Join(" * ", weight.Shape.Where(d => d != "1").DefaultIfEmpty("1"))}];");
            }
        }

        w.Line();
    }

    public static void EmitLoadWeights(SourceWriter w, string module, List<Weight> weights)
    {
        w.Line("/// <summary>");
        w.Line($"/// Loads weights saved from {module}'s <c>state_dict</c>, under PyTorch's names and shapes:");
        w.Line("/// " + string.Join(", ", weights.ConvertAll(x => $"<c>{x.Name}</c> [{string.Join(", ", x.Shape)}]")) + ".");
        w.Lines("""
            /// Every tensor is read and checked before any is applied, so a failed load leaves the layer unchanged.
            /// Safe while <see cref="Forward"/> runs on other threads: the new weights replace the old all at once,
            /// and a forward pass already running finishes with the weights it started with.
            /// </summary>
            """);
        using (LayerMembers.OpenLoadWeights(w, "The tensors, e.g. <c>SafeTensors.Open(\"model.safetensors\")</c>; tensors it holds beyond these are ignored.", "Prepended to every name, e.g. <c>\"layer1.0.se.\"</c>."))
        {
            foreach (Weight weight in weights)
            {
                w.Line($"float[] {Local(weight)} = global::Attend.Kernels.WeightLoading.Read(source, prefix, \"{weight.Name}\", {string.Join(", ", weight.Shape)});");
            }

            w.Line();
            w.Line("var next = new LayerWeights();");
            foreach (Weight weight in weights) w.Line($"{Local(weight)}.CopyTo(next.{Member(weight)}, 0);");
            w.Line("global::System.Threading.Volatile.Write(ref _weights, next);");
        }

        w.Line();
    }

    /// <summary>Writes <c>Forward</c>: checks every argument, then runs <c>Block</c> over the batch.</summary>
    public static void EmitForward(SourceWriter w, string formula, List<ScaleOutput> outputs)
    {
        w.Line("/// <summary>");
        w.Line($"/// Applies the block to each sample: {formula}.");
        w.Lines("""
            /// Allocates nothing once warm and may be called from many threads at once, also while <see cref="LoadWeights"/> runs:
            /// the pass reads the weights once and computes with that one complete set.
            /// </summary>
            """);
        LayerMembers.Params(w, ("input", "Feature maps <c>[batch, Channels, height, width]</c> (NCHW), row-major."), ("output", "Receives <c>[batch, Channels, height, width]</c>; may be <paramref name=\"input\"/>'s memory itself (in place), but must not partly overlap it."), ("batch", "Number of samples."), ("height", "Rows of each map."), ("width", "Columns of each map."));
        foreach (ScaleOutput output in outputs) w.Line($"/// <param name=\"{output.Parameter}\">Optional; receives {output.Description} <c>{output.Shape}</c>.</param>");
        w.Line("/// <exception cref=\"global::System.ArgumentException\">A length or size does not match; the message names the argument and the size expected.</exception>");
        w.Line(GeneratedCode.Attribute);
        string extra = string.Concat(outputs.ConvertAll(o => $", global::System.Span<float> {o.Parameter} = default"));
        using (w.Block($"public void Forward(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int batch, int height, int width{extra})"))
        {
            w.Lines("""
                global::Attend.Kernels.ArgumentChecks.Positive(batch, nameof(batch));
                global::Attend.Kernels.ArgumentChecks.Positive(height, nameof(height));
                global::Attend.Kernels.ArgumentChecks.Positive(width, nameof(width));
                long elements = (long)batch * Channels * height * width;
                global::Attend.Kernels.ArgumentChecks.Length(input.Length, elements, nameof(input), $"batch × Channels × height × width = {batch} × {Channels} × {height} × {width}");
                global::Attend.Kernels.ArgumentChecks.Length(output.Length, elements, nameof(output), $"batch × Channels × height × width = {batch} × {Channels} × {height} × {width}");
                """);
            foreach (ScaleOutput output in outputs)
            {
                w.Line($"if (!{output.Parameter}.IsEmpty) global::Attend.Kernels.ArgumentChecks.Length({output.Parameter}.Length, {output.Length}, nameof({output.Parameter}), $\"{output.Formula}\");");
            }

            string channelScale = outputs.Exists(o => o.Parameter is "scale" or "channelScale") ? outputs.Find(o => o.Parameter is "scale" or "channelScale")!.Parameter : "default";
            string spatialScale = outputs.Exists(o => o.Parameter == "spatialScale") ? "spatialScale" : "default";
            w.Line("LayerWeights weights = global::System.Threading.Volatile.Read(ref _weights); // one set for the whole pass");
            w.Line($"global::Attend.Kernels.FeatureMapAttention.Run(new Block(weights), Path, input, output, batch, Channels, height, width, {channelScale}, {spatialScale}, MaxDegreeOfParallelism);");
        }

        w.Line();
    }

    /// <summary>Opens <c>private readonly struct Block : IFeatureMapAttention</c> with a constructor copying the references of one weight set.</summary>
    public static SourceWriter.Scope OpenBlock(SourceWriter w, string summary, List<Weight> weights, string scratchLength)
    {
        w.Line($"/// <summary>{summary}</summary>");
        w.Line(GeneratedCode.Attribute);
        SourceWriter.Scope scope = w.Block("private readonly struct Block : global::Attend.Kernels.IFeatureMapAttention");
        foreach (Weight weight in weights) w.Line($"private readonly float[] {weight.Field};");
        w.Line();
        using (w.Block("public Block(LayerWeights weights)"))
        {
            foreach (Weight weight in weights) w.Line($"{weight.Field} = weights.{Member(weight)};");
        }

        w.Line();
        w.Line($"public int ScratchLength(int height, int width) => {scratchLength};");
        w.Line();
        return scope;
    }

    public const string ApplySignature =
        "public void Apply(global::Attend.KernelPath path, global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int height, int width, global::System.Span<float> channelScale, global::System.Span<float> spatialScale, global::System.Span<float> scratch)";

    private static string Local(Weight weight)
    {
        string name = weight.Field.TrimStart('_');
        return name;
    }

    /// <summary>The weight's member of <c>LayerWeights</c>: the field name without its underscore, capitalized (<c>_fc1Weight</c> → <c>Fc1Weight</c>).</summary>
    private static string Member(Weight weight)
    {
        string name = Local(weight);
        return char.ToUpperInvariant(name[0]) + name.Substring(1);
    }
}
