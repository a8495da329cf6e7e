namespace Attend.Generators.Emit;

/// <summary>
/// What the External-Attention layers of <c>PointwiseAttentionParsers</c> emit alike on top of
/// <see cref="FeatureMapLayerEmitter"/>: constants, the documented shell of a <c>LoadWeights</c> that reshapes (packs,
/// folds) what it reads, and the token-layer <c>Forward</c> checks.
/// </summary>
internal static class PointwiseLayerEmitter
{
    public const string Kernels = "global::Attend.Kernels.PointwiseAttentionKernels";
    public const string Linear = "global::Attend.Kernels.LinearKernels";
    public const string Projection = "global::Attend.Kernels.ProjectionDriver";
    public const string Read = "global::Attend.Kernels.WeightLoading.Read";

    public static void EmitConstant(SourceWriter w, string name, int value, string summary) => LayerMembers.Constant(w, summary, name, Literals.Int(value));

    /// <summary>
    /// Writes <c>LoadWeights</c>: <paramref name="read"/> reads and checks every tensor into locals and fills a new
    /// <c>LayerWeights next</c>; the method then publishes it with one reference write.
    /// </summary>
    /// <param name="tensors">PyTorch names and shapes, for the documentation: <c>"&lt;c&gt;mk.weight&lt;/c&gt; [S, ModelDim]"</c>.</param>
    /// <param name="loadRemark">What happens to the tensors beyond a copy (packing, folding), or empty.</param>
    public static void EmitLoadWeights(SourceWriter w, string module, IReadOnlyList<string> tensors, string loadRemark, System.Action<SourceWriter> read)
    {
        w.Line("/// <summary>");
        w.Line($"/// Loads weights saved from {module}'s <c>state_dict</c>, under PyTorch's names and shapes:");
        w.Line("/// " + string.Join(", ", tensors) + "." + (loadRemark.Length > 0 ? " " + loadRemark : ""));
        w.Lines("""
            /// Every tensor is read and checked before any is applied, so a failed load leaves the layer unchanged.
            /// Safe while <see cref="Forward"/> runs on other threads: the new weights replace the old all at once,
            /// and a forward pass already running finishes with the weights it started with.
            /// </summary>
            """);
        using (LayerMembers.OpenLoadWeights(w, "The tensors, e.g. <c>SafeTensors.Open(\"model.safetensors\")</c>; tensors it holds beyond these are ignored.", "Prepended to every name, e.g. <c>\"layer1.0.attention.\"</c>."))
        {
            w.Line("var next = new LayerWeights();");
            read(w);
            w.Line("global::System.Threading.Volatile.Write(ref _weights, next);");
        }

        w.Line();
    }

    /// <summary>The <c>Forward</c> argument checks of a token layer over <c>[batch, tokens, ModelDim]</c>; leaves <c>rows</c> = batch × tokens.</summary>
    public static void EmitTokenChecks(SourceWriter w)
    {
        w.Lines("""
            global::Attend.Kernels.ArgumentChecks.Positive(batch, nameof(batch));
            global::Attend.Kernels.ArgumentChecks.Positive(tokens, nameof(tokens));
            long elements = (long)batch * tokens * ModelDim;
            global::Attend.Kernels.ArgumentChecks.Length(input.Length, elements, nameof(input), $"batch × tokens × ModelDim = {batch} × {tokens} × {ModelDim}");
            global::Attend.Kernels.ArgumentChecks.Length(output.Length, elements, nameof(output), $"batch × tokens × ModelDim = {batch} × {tokens} × {ModelDim}");
            """);
    }

    /// <summary>The <c>Forward</c> documentation of a token layer; <paramref name="extra"/> adds <c>param</c> lines.</summary>
    public static void EmitTokenForwardDocs(SourceWriter w, string formula, params string[] extra)
    {
        w.Line("/// <summary>");
        w.Line($"/// Applies the layer to each sequence: {formula}.");
        w.Lines("""
            /// Allocates nothing once warm and may be called from many threads at once, also while <see cref="LoadWeights"/> runs:
            /// the pass reads the weights once and computes with that one complete set. Results do not depend on <see cref="MaxDegreeOfParallelism"/>.
            /// </summary>
            """);
        LayerMembers.Params(w, ("input", "Tokens <c>[batch, tokens, ModelDim]</c>, row-major."), ("output", "Receives <c>[batch, tokens, ModelDim]</c>; must not overlap <paramref name=\"input\"/>."), ("batch", "Number of sequences."), ("tokens", "Tokens per sequence (N)."));
        foreach (string line in extra) w.Line("/// " + line);
        w.Line("/// <exception cref=\"global::System.ArgumentException\">A length or size does not match, or output overlaps input; the message names the argument and the size expected.</exception>");
        w.Line(GeneratedCode.Attribute);
    }
}
