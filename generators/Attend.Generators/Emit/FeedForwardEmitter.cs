namespace Attend.Generators.Emit;

/// <summary>
/// Writes the feed-forward sublayer every transformer block shares: <c>Linear → activation → Linear</c> with its norm and
/// residual. The layer class must have <c>PackedHiddenWeight</c>, <c>HiddenBias</c>, <c>PackedProjectionWeight</c>,
/// <c>ProjectionBias</c> and the named norm's <c>Weight</c>/<c>Bias</c>; the <c>Pass</c> must have <c>Normed</c>,
/// <c>Hidden</c> and <c>Delta</c>.
/// </summary>
internal static class FeedForwardEmitter
{
    /// <summary>The feed-forward weights of a layer class: both linears packed for the projection kernel, biases as read.</summary>
    public static void EmitWeightFields(SourceWriter w)
    {
        w.Lines("""
            public readonly global::Attend.Kernels.PackedProjection PackedHiddenWeight = new(ModelDim, MlpDim);
            public readonly float[] HiddenBias = new float[MlpDim];
            public readonly global::Attend.Kernels.PackedProjection PackedProjectionWeight = new(MlpDim, ModelDim);
            public readonly float[] ProjectionBias = new float[ModelDim];
            """);
    }

    /// <summary>Reads and packs the two linears (<paramref name="hidden"/>, <paramref name="projection"/>: their module names) into <c>layer</c>, in the <c>precision</c> in scope.</summary>
    public static void EmitWeightReads(SourceWriter w, string hidden, string projection)
    {
        w.Line($"layer.PackedHiddenWeight.Pack(global::Attend.Kernels.WeightLoading.Read(source, prefix, \"{hidden}.weight\", MlpDim, ModelDim), precision);");
        w.Line($"global::Attend.Kernels.WeightLoading.Read(source, prefix, \"{hidden}.bias\", MlpDim).CopyTo(layer.HiddenBias, 0);");
        w.Line($"layer.PackedProjectionWeight.Pack(global::Attend.Kernels.WeightLoading.Read(source, prefix, \"{projection}.weight\", ModelDim, MlpDim), precision);");
        w.Line($"global::Attend.Kernels.WeightLoading.Read(source, prefix, \"{projection}.bias\", ModelDim).CopyTo(layer.ProjectionBias, 0);");
    }

    public static void Emit(SourceWriter w, string layerClass, string norm, bool preNorm, int activation)
    {
        w.Line("/// <summary>");
        w.Line(preNorm
            ? "/// Feed-forward sublayer, in place on <paramref name=\"x\"/>: <c>x += linear2(activation(linear1(norm(x))))</c>."
            : "/// Feed-forward sublayer, in place on <paramref name=\"x\"/>: <c>x = norm(x + linear2(activation(linear1(x))))</c>.");
        w.Line("/// </summary>");
        using (w.Block($"private static void FeedForwardSublayer(in Pass pass, {layerClass} layer, global::System.Span<float> x)"))
        {
            string source = SublayerText.Enter(w, preNorm, norm, threads: false);

            // The activation runs inside the projection, on each block of the hidden layer while it is in cache.
            string fused = activation switch
            {
                BlockOptions.ActivationGelu => "Gelu",
                BlockOptions.ActivationGeluTanh => "GeluTanh",
                _ => "Relu",
            };
            w.Line($"global::Attend.Kernels.ProjectionDriver.Forward(path, {source}, rows, ModelDim, layer.PackedHiddenWeight, layer.HiddenBias, ModelDim, MlpDim, pass.Hidden, MlpDim, pass.Threads, global::Attend.FeedForwardActivation.{fused});");
            w.Line("global::Attend.Kernels.ProjectionDriver.Forward(path, pass.Hidden, rows, MlpDim, layer.PackedProjectionWeight, layer.ProjectionBias, MlpDim, ModelDim, pass.Delta, ModelDim, pass.Threads);");
            SublayerText.Residual(w, preNorm, norm);
        }

        w.Line();
    }
}
