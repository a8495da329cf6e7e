namespace Attend.Generators.Emit;

/// <summary>
/// The <c>Pass</c> ref struct every transformer stack (encoder, decoder) hands its sublayers: how to run, the batch, and
/// the scratch spans <see cref="SublayerText"/>'s entry and exit and the sublayers write. Each stack adds its own sizes
/// and masks between <see cref="RunMembers"/> and <see cref="ScratchMembers"/>.
/// </summary>
internal static class PassText
{
    /// <summary>Kernel path, thread count and batch, first in every pass.</summary>
    public const string RunMembers = """
        public global::Attend.KernelPath Path { get; init; }
        public int Threads { get; init; }
        public int Batch { get; init; }
        """;

    /// <summary>Opens the struct under its summary (<c>One forward pass: {contents}.</c>).</summary>
    public static SourceWriter.Scope Open(SourceWriter w, string contents)
    {
        w.Line($"/// <summary>One forward pass: {contents}.</summary>");
        w.Line(GeneratedCode.Attribute);
        return w.Block("private readonly ref struct Pass");
    }

    /// <summary>The scratch spans every sublayer shares; <paramref name="qkvSummary"/> says what this stack keeps in Qkv.</summary>
    public static string ScratchMembers(string qkvSummary) => $$"""
        /// <summary>[rows, ModelDim]: the normalized input of a pre-norm sublayer.</summary>
        public global::System.Span<float> Normed { get; init; }
        /// <summary>[rows, ModelDim]: a sublayer's output before the residual sum.</summary>
        public global::System.Span<float> Delta { get; init; }
        /// <summary>{{qkvSummary}}</summary>
        public global::System.Span<float> Qkv { get; init; }
        /// <summary>[rows, InnerDim]: attention's output, heads side by side.</summary>
        public global::System.Span<float> Context { get; init; }
        /// <summary>[rows, MlpDim]: the feed-forward hidden layer (shares memory with Qkv and Context).</summary>
        public global::System.Span<float> Hidden { get; init; }
        """;
}
