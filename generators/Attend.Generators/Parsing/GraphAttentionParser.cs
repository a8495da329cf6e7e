namespace Attend.Generators.Parsing;

/// <summary>Turns a <c>[GraphAttention]</c> declaration into a <see cref="GraphAttentionSpec"/> or diagnostics.</summary>
internal static class GraphAttentionParser
{
    public static GraphAttentionSpec? Read(DeclarationReader reader, LayerIdentity? identity)
    {
        if (!FamilyParsing.RequireResolved(reader, "InFeatures", "OutFeatures", "Heads", "Combine", "Scoring", "NegativeSlope", "AddSelfLoops", "Bias")) return null;
        int inFeatures = reader.GetInt("InFeatures");
        int outFeatures = reader.GetInt("OutFeatures");
        int heads = reader.GetInt("Heads", 1);
        int combine = reader.GetInt("Combine");
        int scoring = reader.GetInt("Scoring");
        float slope = reader.GetFloat("NegativeSlope", 0.2f);

        bool valid = reader.RequirePositive("InFeatures", inFeatures, ", the features of each input node");
        valid &= reader.RequirePositive("OutFeatures", outFeatures, ", the features of each head's output (F′)");
        valid &= reader.RequirePositive("Heads", heads, ", or remove it for one head");
        valid &= OptionChecks.RequireDefined<GraphHeadCombine>(reader, "Combine", combine);
        valid &= OptionChecks.RequireDefined<GraphAttentionScoring>(reader, "Scoring", scoring);
        if (float.IsNaN(slope) || float.IsInfinity(slope))
        {
            reader.Report(Descriptors.NegativeSlopeNotFinite, reader.ArgumentLocation("NegativeSlope"), FamilyParsing.Text(slope), reader.TypeName);
            valid = false;
        }

        if (valid)
        {
            valid &= FamilyParsing.RequireFitsInArray(reader, "W.weight", FamilyParsing.PackedLinearLength(inFeatures, (decimal)heads * outFeatures),
                "InFeatures, Heads or OutFeatures", "OutFeatures");
            if (valid) valid &= FamilyParsing.RequireFitsInArray(reader, "a", (decimal)heads * outFeatures * 2, "Heads or OutFeatures", "OutFeatures");
        }

        FamilyParsing.WarnIfWide(reader, "OutFeatures", outFeatures);
        if (!valid || identity is null) return null;
        return new GraphAttentionSpec(identity, inFeatures, outFeatures, heads, combine == 1, slope,
            reader.GetBool("AddSelfLoops", true), scoring == 1, reader.GetBool("Bias", false));
    }
}
