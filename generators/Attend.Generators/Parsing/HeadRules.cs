namespace Attend.Generators.Parsing;

/// <summary>
/// The attribute rules every attention layer kind shares ([MultiHeadAttention], [ScaledDotProductAttention],
/// [TransformerEncoder], [TransformerDecoder], and through the encoder stack [VisionTransformer] and [BertModel]),
/// written once so a declaration gets the same diagnostic and the same suggestion whatever its attribute:
/// <list type="table">
/// <item><term>ModelDim / Heads</term><description>ATTEND005 unless Heads divides ModelDim; suggests <see cref="ModelDimSuggestion.Nearest"/> (the code fix applies the same number).</description></item>
/// <item><term>default DimHead</term><description><see cref="DefaultDimHead"/> = ModelDim / Heads, as PyTorch's <c>head_dim</c>.</description></item>
/// <item><term>head width</term><description>ATTEND008 above 512, ATTEND050 above <see cref="DeclarationReader.MaxUnrolledHead"/> (<see cref="CheckDimHead"/>).</description></item>
/// <item><term>KvHeads</term><description>ATTEND006 unless KvHeads divides Heads; suggests the largest divisor of Heads below KvHeads.</description></item>
/// <item><term>Mask</term><description>ATTEND007 for flags outside <see cref="AttentionMask"/>'s Causal | KeyPadding.</description></item>
/// </list>
/// Each returns whether the declaration passed; none reports when an earlier rule already made the numbers meaningless (a non-positive size).
/// </summary>
internal static class HeadRules
{
    private const AttentionMask SupportedMasks = AttentionMask.Causal | AttentionMask.KeyPadding;

    /// <summary>ATTEND004's hint for a written KvHeads that is not positive (every head-shaped attribute has one).</summary>
    public const string KvHeadsHint = ", or remove it to use Heads";

    /// <summary>ATTEND004's hint for a written Window that is not positive.</summary>
    public const string WindowHint = ", or remove it for full attention";

    /// <summary>The head width when DimHead is not written: ModelDim / Heads. Callers have checked both positive.</summary>
    public static int DefaultDimHead(int modelDim, int heads) => modelDim / heads;

    /// <summary>ATTEND005 on ModelDim when Heads does not divide it.</summary>
    public static bool RequireModelDimDivisible(DeclarationReader reader, int modelDim, int heads)
    {
        if (modelDim <= 0 || heads <= 0 || modelDim % heads == 0) return true;
        reader.Report(Descriptors.ModelDimNotDivisible, reader.ArgumentLocation("ModelDim"), Text(modelDim), Text(heads), reader.TypeName,
            Text(ModelDimSuggestion.Nearest(modelDim, heads)));
        return false;
    }

    /// <summary>
    /// ATTEND050 / ATTEND008 on the head width: on DimHead when written, else on ModelDim (the width is ModelDim / Heads, so
    /// the message says to raise Heads).
    /// </summary>
    public static bool CheckDimHead(DeclarationReader reader, int dimHead)
    {
        bool written = reader.IsSet("DimHead");
        return reader.CheckHeadWidth("DimHead", dimHead, written ? "DimHead" : "ModelDim", written ? "" : " (DimHead = ModelDim / Heads: raise Heads)");
    }

    /// <summary>ATTEND006 on KvHeads when it does not divide Heads (grouped-query attention shares each key/value head by a whole group).</summary>
    public static bool RequireKvHeadsDivideHeads(DeclarationReader reader, int heads, int kvHeads)
    {
        if (heads <= 0 || kvHeads <= 0 || heads % kvHeads == 0) return true;
        reader.Report(Descriptors.HeadsNotDivisibleByKvHeads, reader.ArgumentLocation("KvHeads"), Text(heads), Text(kvHeads), reader.TypeName,
            Text(LargestDivisorAtMost(heads, kvHeads)));
        return false;
    }

    /// <summary>ATTEND007 on Mask when it holds a flag the layers do not implement.</summary>
    public static bool RequireSupportedMask(DeclarationReader reader, int mask)
    {
        if (((AttentionMask)mask & ~SupportedMasks) == 0) return true;
        reader.Report(Descriptors.UnsupportedMask, reader.ArgumentLocation("Mask"), Text(mask), reader.TypeName);
        return false;
    }

    /// <summary>Whether <paramref name="mask"/> (an <see cref="AttentionMask"/> argument's value) has <paramref name="flag"/>.</summary>
    public static bool Has(int mask, AttentionMask flag) => ((AttentionMask)mask & flag) != 0;

    /// <summary>The largest divisor of <paramref name="value"/> that is at most <paramref name="limit"/> (1 when none above it).</summary>
    public static int LargestDivisorAtMost(int value, int limit)
    {
        for (int candidate = Math.Min(limit, value); candidate > 1; candidate--)
        {
            if (value % candidate == 0) return candidate;
        }

        return 1;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
