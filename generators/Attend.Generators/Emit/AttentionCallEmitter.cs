namespace Attend.Generators.Emit;

/// <summary>A strided 4-D view handed to the attention driver: the span expression and its three strides.</summary>
internal sealed record StridedView(string Span, string BatchStride, string HeadStride, string RowStride);

/// <summary>
/// One <c>AttentionDriver.Run</c> call as C# expressions: what every emitter that runs attention over projected rows
/// (multi-head attention, the transformer blocks) fills in.
/// </summary>
internal sealed record AttentionCall(
    string Batch,
    string Heads,
    string KvHeads,
    string QueryLength,
    string KeyLength,
    StridedView Query,
    StridedView Key,
    StridedView Value,
    StridedView Output,
    string Scale,
    string Causal,
    string KeyPaddingMask,
    string Probabilities)
{
    /// <summary>Further <c>Name = expression</c> initializers (causal offset, window, score bias), one line each.</summary>
    public IReadOnlyList<string> Extra { get; init; } = System.Array.Empty<string>();

    /// <summary>
    /// A <c>KvCache?</c> expression whose layer <see cref="CacheLayer"/> holds the keys and values before the new ones
    /// (<c>AttentionDriver.RunCached</c>); null runs the problem as given.
    /// </summary>
    public string? Cache { get; init; }

    /// <summary>The cache layer expression, with <see cref="Cache"/>.</summary>
    public string CacheLayer { get; init; } = "0";

    /// <summary>With <see cref="Cache"/>: the cache's index of the problem's first sequence, when a pass covers a range of the batch.</summary>
    public string? CacheFirstSequence { get; init; }
}

/// <summary>Writes the <c>AttentionProblem</c> initializer and the driver call for an <see cref="AttentionCall"/>.</summary>
internal static class AttentionCallEmitter
{
    /// <param name="shape">The layer's head shape: the driver runs over that shape's shared kernel struct.</param>
    public static void Emit(SourceWriter w, HeadShape shape, AttentionCall call)
    {
        using (w.Block("var problem = new global::Attend.Kernels.AttentionProblem", ";"))
        {
            w.Line($"Batch = {call.Batch}, Heads = {call.Heads}, KvHeads = {call.KvHeads}, QueryLength = {call.QueryLength}, KeyLength = {call.KeyLength},");
            View(w, "Query", call.Query);
            View(w, "Key", call.Key);
            View(w, "Value", call.Value);
            View(w, "Output", call.Output);
            w.Line($"Scale = {call.Scale}, Causal = {call.Causal}, KeyPaddingMask = {call.KeyPaddingMask}, Probabilities = {call.Probabilities},");
            foreach (string extra in call.Extra) w.Line(extra + ",");
            w.Line("Path = path, MaxDegreeOfParallelism = threads,");
        }

        w.Line(call.Cache is null
            ? $"global::Attend.Kernels.AttentionDriver.Run<{HeadKernelsEmitter.TypeName(shape)}>(problem);"
            : $"global::Attend.Kernels.AttentionDriver.RunCached<{HeadKernelsEmitter.TypeName(shape)}>(problem, {call.Cache}, {call.CacheLayer}{(call.CacheFirstSequence is null ? "" : ", " + call.CacheFirstSequence)});");
    }

    private static void View(SourceWriter w, string name, StridedView view) =>
        w.Line($"{name} = {view.Span}, {name}BatchStride = {view.BatchStride}, {name}HeadStride = {view.HeadStride}, {name}RowStride = {view.RowStride},");
}
