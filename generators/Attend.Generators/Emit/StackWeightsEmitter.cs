namespace Attend.Generators.Emit;

/// <summary>
/// The stack weight class of the block emitters (encoder stacks, ViT, decoder): every layer's weights and the stack's
/// own (final norm, learned positions) in one object, so <c>LoadWeights</c> swaps a whole set in at once; <c>Zeroed</c>
/// is what a new instance runs, <c>Read</c> throws before returning a half-read stack.
/// </summary>
internal static class StackWeightsEmitter
{
    /// <param name="w">The writer, inside the layer's type.</param>
    /// <param name="stackClass">The stack class to write.</param>
    /// <param name="layerClass">The per-layer class, with a parameterless constructor and <c>Read(source, prefix, precision)</c>.</param>
    /// <param name="layerPrefix">Layer <c>i</c>'s tensors are under <c>prefix + layerPrefix + i + "."</c>.</param>
    /// <param name="finalNorm">The final layer norm's tensor name (its <c>.weight</c> and <c>.bias</c>), or null for none.</param>
    /// <param name="ownFields">Writes further fields of the stack, or null.</param>
    /// <param name="ownReads">Writes their reads into <c>stack</c>, or null.</param>
    public static void Emit(SourceWriter w, string stackClass, string layerClass, string layerPrefix, string? finalNorm,
        Action<SourceWriter>? ownFields = null, Action<SourceWriter>? ownReads = null)
    {
        w.Line("/// <summary>Everything the stack loads, swapped in as one object so a forward pass never sees two weight sets.</summary>");
        w.Line(GeneratedCode.Attribute);
        using (w.Block($"private sealed class {stackClass}"))
        {
            w.Line($"public readonly {layerClass}[] Layers = new {layerClass}[Depth];");
            if (finalNorm is not null)
            {
                w.Line("public readonly float[] FinalNormWeight = new float[ModelDim];");
                w.Line("public readonly float[] FinalNormBias = new float[ModelDim];");
            }

            ownFields?.Invoke(w);
            w.Line();
            w.Line("/// <summary>Zeroed weights, what a new instance runs until <c>LoadWeights</c>.</summary>");
            using (w.Block($"public static {stackClass} Zeroed()"))
            {
                w.Line($"var stack = new {stackClass}();");
                w.Line($"for (int i = 0; i < Depth; i++) stack.Layers[i] = new {layerClass}();");
                w.Line("return stack;");
            }

            w.Line();
            w.Line("/// <summary>Reads and checks every tensor of the stack under <c>prefix</c>.</summary>");
            using (w.Block($"public static {stackClass} Read(global::Attend.IWeightSource source, string prefix, global::Attend.WeightPrecision precision)"))
            {
                w.Line($"var stack = new {stackClass}();");
                w.Line($"for (int i = 0; i < Depth; i++) stack.Layers[i] = {layerClass}.Read(source, prefix + \"{layerPrefix}\" + i.ToString(global::System.Globalization.CultureInfo.InvariantCulture) + \".\", precision);");
                if (finalNorm is not null)
                {
                    w.Line($"global::Attend.Kernels.WeightLoading.Read(source, prefix, \"{finalNorm}.weight\", ModelDim).CopyTo(stack.FinalNormWeight, 0);");
                    w.Line($"global::Attend.Kernels.WeightLoading.Read(source, prefix, \"{finalNorm}.bias\", ModelDim).CopyTo(stack.FinalNormBias, 0);");
                }

                ownReads?.Invoke(w);
                w.Line("return stack;");
            }
        }

        w.Line();
    }
}
