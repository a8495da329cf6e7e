namespace Attend.Generators.Emit;

/// <summary>
/// The entry and exit every transformer sublayer shares (attention, cross-attention, feed-forward): the pass's sizes
/// into locals, the pre-norm (<c>norm_first</c>) into <c>pass.Normed</c>, and the residual (plus post-norm) back into
/// <c>x</c>. <paramref name="norm"/> names the layer class's norm fields without their <c>Weight</c>/<c>Bias</c> suffix.
/// </summary>
internal static class SublayerText
{
    /// <summary>Writes the entry; returns the span the sublayer reads: <c>x</c>, or <c>pass.Normed</c> under pre-norm.</summary>
    public static string Enter(SourceWriter w, bool preNorm, string norm, bool threads = true)
    {
        w.Line("global::Attend.KernelPath path = pass.Path;");
        if (threads) w.Line("int threads = pass.Threads;");
        w.Line("int rows = pass.Rows;");
        if (!preNorm) return "x";
        w.Line($"global::Attend.Kernels.Normalization.LayerNorm(path, x, rows, ModelDim, layer.{norm}Weight, layer.{norm}Bias, LayerNormEpsilon, pass.Normed);");
        return "pass.Normed";
    }

    /// <summary>Adds <paramref name="delta"/> back into <c>x</c>: a plain add under pre-norm, add-then-norm otherwise.</summary>
    public static void Residual(SourceWriter w, bool preNorm, string norm, string delta = "pass.Delta") =>
        w.Line(preNorm
            ? $"global::Attend.Kernels.Elementwise.Add(path, x, {delta}, x);"
            : $"global::Attend.Kernels.Normalization.AddLayerNorm(path, x, {delta}, rows, ModelDim, layer.{norm}Weight, layer.{norm}Bias, LayerNormEpsilon, x);");
}
