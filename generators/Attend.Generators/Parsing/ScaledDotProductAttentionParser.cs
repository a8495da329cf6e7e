namespace Attend.Generators.Parsing;

/// <summary>Turns a <c>[ScaledDotProductAttention]</c> declaration into a <see cref="ScaledDotProductAttentionSpec"/> or diagnostics.</summary>
internal static class ScaledDotProductAttentionParser
{
    public static ScaledDotProductAttentionSpec? Read(DeclarationReader reader, LayerIdentity? identity)
    {
        bool valid = true;
        int heads = reader.ReadPositive("Heads", ", the number of query heads (q_num_heads)", ref valid);
        int kvHeads = reader.ReadOptionalPositive("KvHeads", HeadRules.KvHeadsHint, ref valid);
        int dimHead = reader.ReadPositive("DimHead", ", the width of one query/key head", ref valid);
        int valueDimHead = reader.ReadOptionalPositive("ValueDimHead", ", or remove it to use DimHead", ref valid);

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
