namespace Attend.Generators.Emit;

/// <summary>
/// What the image attention layers (DANet position/channel attention, convolutional self-attention) emit alike:
/// constants, properties, a <c>LayerWeights</c> set published at once by <c>LoadWeights</c>, <c>Forward</c>'s argument
/// checks and the head-kernel remarks. Every type is named with <c>global::</c>.
/// </summary>
internal static class ImageLayerEmitter
{
    /// <summary>A tensor <c>LoadWeights</c> reads: its PyTorch name, the local it lands in, and its shape as C# expressions.</summary>
    public sealed record Tensor(string Name, string Local, params string[] Shape);

    /// <summary>A member of <c>LayerWeights</c>: its declaration after <c>public readonly</c> (type, name, initializer).</summary>
    public sealed record Field(string Declaration, string Comment);

    public static void Constant(SourceWriter w, string summary, string name, int value, bool isPublic = true)
    {
        if (isPublic)
        {
            LayerMembers.Constant(w, summary, name, $"{value}");
            return;
        }

        w.Line($"// {summary}");
        w.Line($"private const int {name} = {value};");
        w.Line();
    }

    public static void PathProperties(SourceWriter w)
    {
        LayerMembers.PathProperty(w);
        LayerMembers.ThreadsProperty(w, "Most threads one <see cref=\"Forward\"/> uses; 1 runs on the caller's thread. Results are identical whatever the value.");
    }

    /// <summary>Writes <c>LayerWeights</c>, the field holding the published set, a constructor and <c>LoadWeights</c>.</summary>
    /// <param name="build">Lines that fill <c>next</c> (a new <c>LayerWeights</c>) from the tensors' locals.</param>
    public static void Weights(SourceWriter w, string typeName, string module, IReadOnlyList<Tensor> tensors, IReadOnlyList<Field> fields, Action<SourceWriter> build)
    {
        w.Lines("""
            // The weights in use. LoadWeights reads a whole new set, then publishes it with one reference write, so a
            // Forward running meanwhile computes with the old set or the new one, never a mix of the two.
            private LayerWeights _weights = new LayerWeights();
            """);
        w.Line();
        w.Line("// One complete set of weights, in the layout the kernels read; never written once published.");
        using (w.Block("private sealed class LayerWeights"))
        {
            foreach (Field field in fields)
            {
                w.Line($"// {field.Comment}");
                w.Line($"public {field.Declaration}");
            }
        }

        w.Line();
        LayerMembers.ZeroWeightsConstructor(w, typeName);
        w.Line("/// <summary>");
        w.Line($"/// Loads weights saved from {module}'s <c>state_dict</c>, under PyTorch's names and shapes:");
        w.Line("/// " + string.Join(", ", tensors.Select(t => $"<c>{t.Name}</c> [{string.Join(", ", t.Shape)}]")) + ".");
        w.Lines("""
            /// Every tensor is read and checked before any is applied, so a failed load leaves the layer unchanged; a
            /// <see cref="Forward"/> already running on another thread finishes with the weights it started with.
            /// </summary>
            """);
        using (LayerMembers.OpenLoadWeights(w, "The tensors, e.g. <c>SafeTensors.Open(\"model.safetensors\")</c>; tensors it holds beyond these are ignored.", "Prepended to every name, e.g. <c>\"head.pam.\"</c>."))
        {
            foreach (Tensor tensor in tensors)
            {
                w.Line($"float[] {tensor.Local} = global::Attend.Kernels.WeightLoading.Read(source, prefix, \"{tensor.Name}\", {string.Join(", ", tensor.Shape)});");
            }

            w.Line();
            w.Line("var next = new LayerWeights();");
            build(w);
            w.Line("global::System.Threading.Volatile.Write(ref _weights, next);");
        }

        w.Line();
    }

    /// <summary>Opens <c>Forward(input, output, batch, height, width)</c>, writes its documentation and checks every argument.</summary>
    /// <param name="inputChannels">The constant naming the input's channels.</param>
    /// <param name="outputShape">The output's shape as documentation, e.g. <c>[batch, Channels, height, width]</c>.</param>
    public static SourceWriter.Scope OpenForward(SourceWriter w, string formula, string inputChannels, string outputChannels, string outputShape)
    {
        w.Line("/// <summary>");
        w.Line($"/// {formula}");
        w.Lines("""
            /// Allocates nothing once warm and may be called from many threads at once, also while <see cref="LoadWeights"/> runs:
            /// the pass reads the weights once and computes with that one complete set.
            /// </summary>
            """);
        w.Line($"/// <param name=\"input\">Feature maps <c>[batch, {inputChannels}, height, width]</c> (NCHW), row-major.</param>");
        w.Line($"/// <param name=\"output\">Receives <c>{outputShape}</c>; must not overlap <paramref name=\"input\"/>.</param>");
        LayerMembers.Params(w, ("batch", "Number of samples."), ("height", "Rows of each map."), ("width", "Columns of each map."));
        w.Line("/// <exception cref=\"global::System.ArgumentException\">A length or size does not match, or the spans overlap; the message names the argument and the size expected.</exception>");
        w.Line(GeneratedCode.Attribute);
        SourceWriter.Scope scope = w.Block("public void Forward(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int batch, int height, int width)");
        w.Lines("""
            global::Attend.Kernels.ArgumentChecks.Positive(batch, nameof(batch));
            global::Attend.Kernels.ArgumentChecks.Positive(height, nameof(height));
            global::Attend.Kernels.ArgumentChecks.Positive(width, nameof(width));
            """);
        w.Line($"global::Attend.Kernels.ArgumentChecks.Length(input.Length, (long)batch * {inputChannels} * height * width, nameof(input), $\"batch × {inputChannels} × height × width = {{batch}} × {{{inputChannels}}} × {{height}} × {{width}}\");");
        w.Line($"global::Attend.Kernels.ArgumentChecks.Length(output.Length, (long)batch * {outputChannels} * height * width, nameof(output), $\"{outputShape} = {{batch}} × {{{outputChannels}}} × {{height}} × {{width}}\");");
        w.Line("if (global::System.MemoryExtensions.Overlaps(input, output)) throw new global::System.ArgumentException(\"output overlaps input; pass separate buffers.\", nameof(output));");
        return scope;
    }

    /// <summary>Remarks lines describing the head kernels' register layout per path.</summary>
    public static IEnumerable<string> HeadKernelRemarks(HeadKernelPlan plan) =>
        plan.VectorPaths.Select(path =>
            $"{path.Path} head kernels: queries of {plan.DimHead} floats in {path.Query.Count} segment(s){(path.QueryInRegisters ? " held in registers across keys" : "")}, values of {plan.ValueDimHead} in {path.Value.Count}.")
            .Append(HeadKernelsEmitter.SharedRemark(new HeadShape(plan.DimHead, plan.ValueDimHead)));
}
