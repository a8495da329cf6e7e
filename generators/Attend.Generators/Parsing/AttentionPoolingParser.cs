namespace Attend.Generators.Parsing;

/// <summary>Turns an <c>[AttentionPooling]</c> declaration into an <see cref="AttentionPoolingSpec"/> or diagnostics.</summary>
internal static class AttentionPoolingParser
{
    public static AttentionPoolingSpec? Read(DeclarationReader reader, LayerIdentity? identity)
    {
        if (!FamilyParsing.RequireResolved(reader, "Features", "HiddenDim", "Score", "Bias")) return null;
        int features = reader.GetInt("Features");
        int hidden = reader.GetInt("HiddenDim");
        int score = reader.GetInt("Score");

        bool valid = reader.RequirePositive("Features", features, ", the features of each position");
        valid &= OptionChecks.RequireDefined<PoolingScore>(reader, "Score", score);
        bool learnedQuery = score == 1;
        if (learnedQuery && reader.IsSet("HiddenDim"))
        {
            reader.Report(Descriptors.HiddenDimWithLearnedQuery, reader.ArgumentLocation("HiddenDim"), reader.TypeName, FamilyParsing.Text(hidden));
            valid = false;
        }
        else if (!learnedQuery)
        {
            valid &= reader.RequirePositive("HiddenDim", hidden, ", the width of the additive score's hidden layer (proj.weight is [HiddenDim, Features])");
        }

        if (valid && !learnedQuery)
        {
            valid &= FamilyParsing.RequireFitsInArray(reader, "proj.weight", FamilyParsing.PackedLinearLength(features, hidden), "Features or HiddenDim", "HiddenDim");
        }

        FamilyParsing.WarnIfWide(reader, "Features", features);
        FamilyParsing.WarnIfWide(reader, "HiddenDim", hidden);
        if (!valid || identity is null) return null;
        return new AttentionPoolingSpec(identity, features, learnedQuery ? 0 : hidden, learnedQuery, !learnedQuery && reader.GetBool("Bias", true));
    }
}
