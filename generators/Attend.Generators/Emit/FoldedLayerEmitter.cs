using static Attend.Generators.Emit.FeatureMapLayerEmitter;

namespace Attend.Generators.Emit;

/// <summary>
/// What the External-Attention layers (BAM, Triplet, SK) emit alike: their weights are one runtime set
/// (<c>global::Attend.Kernels.*Weights</c>, BatchNorm folded and products packed at load), their sample computation one
/// runtime kernel; the class adds the constants, the load, the argument checks and the batch loop.
/// </summary>
internal static class FoldedLayerEmitter
{
    /// <summary>A <c>public const int</c> of the emitted class.</summary>
    public sealed record Constant(string Name, string Value, string Summary);

    /// <param name="WeightsType">The runtime weight set, fully qualified.</param>
    /// <param name="ZeroWeights">An expression building the zero set.</param>
    /// <param name="ReadWeights">An expression reading the set from <c>source</c> and <c>prefix</c>.</param>
    /// <param name="Module">The PyTorch module, as named in the docs.</param>
    /// <param name="WeightNames">The <c>state_dict</c> names, for the docs.</param>
    /// <param name="Formula">What <c>Forward</c> computes, for its docs.</param>
    /// <param name="ScratchLength">Floats of scratch per sample, a C# expression of <c>height</c> and <c>width</c>.</param>
    /// <param name="Apply">The call computing one sample, with <c>path</c>, <c>input</c>, <c>output</c>, <c>height</c>, <c>width</c>, <c>_weights</c>, <c>scratch</c> in scope.</param>
    public sealed record Layer(
        LayerIdentity Identity,
        string Summary,
        string[] Remarks,
        List<Constant> Constants,
        string WeightsType,
        string ZeroWeights,
        string ReadWeights,
        string Module,
        string WeightNames,
        string Formula,
        string ScratchLength,
        string Apply);

    public static string Emit(Layer layer, System.Action<SourceWriter>? extraMembers = null) =>
        TypeShellEmitter.Emit(layer.Identity, layer.Summary, layer.Remarks, w =>
        {
            foreach (Constant constant in layer.Constants)
            {
                w.Line($"/// <summary>{constant.Summary}</summary>");
                w.Line(GeneratedCode.Attribute);
                w.Line($"public const int {constant.Name} = {constant.Value};");
                w.Line();
            }

            extraMembers?.Invoke(w);
            w.Line("// The weights in use. LoadWeights reads and folds a whole new set, then publishes it with one reference write,");
            w.Line("// so a Forward running meanwhile computes with the old set or the new one, never a mix of the two.");
            w.Line($"private LayerWeights _weights = new LayerWeights({layer.ZeroWeights});");
            w.Line();
            w.Line("// One complete, never-written set of weights.");
            using (w.Block("private sealed class LayerWeights"))
            {
                w.Line($"public readonly {layer.WeightsType} Set;");
                w.Line();
                w.Line($"public LayerWeights({layer.WeightsType} set) => Set = set;");
            }

            w.Line();
            LayerMembers.ZeroWeightsConstructor(w, layer.Identity.Type.Name);
            EmitPathProperties(w);
            EmitLoadWeights(w, layer);
            EmitForward(w, layer.Formula, new List<ScaleOutput>());
            w.Line("/// <summary>One sample through the runtime kernel, with one weight set.</summary>");
            w.Line(GeneratedCode.Attribute);
            using (w.Block("private readonly struct Block : global::Attend.Kernels.IFeatureMapAttention"))
            {
                w.Line($"private readonly {layer.WeightsType} _weights;");
                w.Line();
                w.Line("public Block(LayerWeights weights) => _weights = weights.Set;");
                w.Line();
                w.Line($"public int ScratchLength(int height, int width) => {layer.ScratchLength};");
                w.Line();
                w.Line("public void Apply(global::Attend.KernelPath path, global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int height, int width,");
                w.Line("    global::System.Span<float> channelScale, global::System.Span<float> spatialScale, global::System.Span<float> scratch) =>");
                w.Line($"    {layer.Apply};");
            }
        });

    private static void EmitLoadWeights(SourceWriter w, Layer layer)
    {
        w.Line("/// <summary>");
        w.Line($"/// Loads weights saved from {layer.Module}'s <c>state_dict</c>, under PyTorch's names and shapes: {layer.WeightNames}.");
        w.Lines("""
            /// Each eval-mode BatchNorm is folded into the layer before it and the linear layers are packed, once, here.
            /// Every tensor is read and checked before the new set is published, so a failed load leaves the layer unchanged;
            /// a forward pass already running finishes with the weights it started with.
            /// </summary>
            """);
        using (LayerMembers.OpenLoadWeights(w, "The tensors, e.g. <c>SafeTensors.Open(\"model.safetensors\")</c>; tensors it holds beyond these (such as <c>num_batches_tracked</c>) are ignored.", "Prepended to every name, e.g. <c>\"layer1.0.attention.\"</c>.", "A tensor is missing.", "A tensor has the wrong shape (the message gives both), or a running variance is negative."))
        {
            w.Line($"global::System.Threading.Volatile.Write(ref _weights, new LayerWeights({layer.ReadWeights}));");
        }

        w.Line();
    }
}
