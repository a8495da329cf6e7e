namespace Attend.Generators.Emit;

/// <summary>Writes a <c>[ScaledDotProductAttention]</c> class: constants, <c>Forward</c> and its head kernels.</summary>
internal static class ScaledDotProductAttentionEmitter
{
    public static string Emit(HeadLayerPlan<ScaledDotProductAttentionSpec> layer)
    {
        ScaledDotProductAttentionSpec spec = layer.Spec;
        HeadKernelPlan plan = layer.Kernels;
        var remarks = new System.Collections.Generic.List<string>
        {
            $"Specialized at compile time: Heads = {spec.Heads}, KvHeads = {spec.KvHeads}, DimHead = {spec.DimHead}, ValueDimHead = {spec.ValueDimHead}.",
            spec.KvHeads == spec.Heads
                ? "Every query head has its own key/value head."
                : $"Grouped-query attention: query head h reads key/value head h / {spec.Heads / spec.KvHeads}.",
            "Run-time choices follow the ONNX Attention operator (opsets 23 and 24): layout, causal, masks, scale, softcap, past/present key and value, nonpad_kv_seqlen, qk_matmul_output modes.",
        };
        foreach (VectorPathPlan path in plan.VectorPaths)
        {
            remarks.Add($"{path.Path}: {path.Query.Count} query segments{(path.QueryInRegisters ? " held in registers across keys" : "")}, {path.Value.Count} value segments.");
        }

        remarks.Add("A query row whose keys are all masked yields zeros, never NaN.");
        remarks.Add(HeadKernelsEmitter.SharedRemark(layer.Shape));

        return TypeShellEmitter.Emit(
            spec.Identity,
            $"Scaled dot-product attention, {spec.Heads} query heads over {spec.KvHeads} key/value heads, D = {spec.DimHead}, Dv = {spec.ValueDimHead}, as the ONNX <c>Attention</c> operator.",
            remarks.ToArray(),
            w =>
            {
                LayerMembers.Constant(w, "Number of query heads (<c>q_num_heads</c>).", "Heads", $"{spec.Heads}");
                LayerMembers.Constant(w, "Number of key/value heads (<c>kv_num_heads</c>).", "KvHeads", $"{spec.KvHeads}");
                LayerMembers.Constant(w, "Width D of one query/key head.", "DimHead", $"{spec.DimHead}");
                LayerMembers.Constant(w, "Width Dv of one value head.", "ValueDimHead", $"{spec.ValueDimHead}");
                LayerMembers.PathProperty(w);
                LayerMembers.ThreadsProperty(w, "Most threads one <see cref=\"Forward\"/> uses; 1 runs on the caller's thread. Results are identical whatever the value.");
                w.Lines("""
                    /// <summary>
                    /// Runs <c>Y = softmax(softcap(scale · Q Kᵀ) + mask) V</c> with the ONNX <c>Attention</c> operator's semantics;
                    /// see <see cref="global::Attend.ScaledDotProductAttentionArguments"/> for every input and output. Safe to call from many threads.
                    /// </summary>
                    /// <exception cref="global::System.ArgumentException">A length or size does not match; the message names the argument and the size expected.</exception>
                    """);
                w.Line(GeneratedCode.Attribute);
                w.Line("public void Forward(scoped in global::Attend.ScaledDotProductAttentionArguments arguments) =>");
                w.Line($"    global::Attend.Kernels.OnnxAttention.Run<{HeadKernelsEmitter.TypeName(layer.Shape)}>(Heads, KvHeads, arguments, Path, MaxDegreeOfParallelism);");
                w.Line();
            });
    }
}
