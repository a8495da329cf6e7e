namespace Attend.Generators.Parsing;

/// <summary>Turns a <c>[ScaledDotProductAttention]</c> declaration into a <see cref="ScaledDotProductAttentionSpec"/> or diagnostics.</summary>
internal static class ScaledDotProductAttentionParser
{
    public static ScaledDotProductAttentionSpec? Read(DeclarationReader reader, LayerIdentity? identity)
    {
        int heads = reader.GetInt("Heads");
        int kvHeads = reader.GetInt("KvHeads");
        int dimHead = reader.GetInt("DimHead");
        int valueDimHead = reader.GetInt("ValueDimHead");

        bool valid = reader.RequirePositive("Heads", heads, ", the number of query heads (q_num_heads)");
        if (reader.IsSet("KvHeads")) valid &= reader.RequirePositive("KvHeads", kvHeads, ", or remove it to use Heads");
        valid &= reader.RequirePositive("DimHead", dimHead, ", the width of one query/key head");
        if (reader.IsSet("ValueDimHead")) valid &= reader.RequirePositive("ValueDimHead", valueDimHead, ", or remove it to use DimHead");

        kvHeads = kvHeads == 0 ? heads : kvHeads;
        valueDimHead = valueDimHead == 0 ? dimHead : valueDimHead;

        if (valid) valid &= HeadRules.RequireKvHeadsDivideHeads(reader, heads, kvHeads);

        valid &= HeadRules.CheckDimHead(reader, dimHead);
        if (reader.IsSet("ValueDimHead")) valid &= reader.CheckHeadWidth("ValueDimHead", valueDimHead, "ValueDimHead");

        if (!valid || identity is null) return null;
        return new ScaledDotProductAttentionSpec(identity, heads, kvHeads, dimHead, valueDimHead);
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
