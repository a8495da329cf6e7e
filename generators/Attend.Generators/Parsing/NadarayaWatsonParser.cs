namespace Attend.Generators.Parsing;

/// <summary>Turns a <c>[NadarayaWatson]</c> declaration into a <see cref="NadarayaWatsonSpec"/> or diagnostics.</summary>
internal static class NadarayaWatsonParser
{
    public static NadarayaWatsonSpec? Read(DeclarationReader reader, LayerIdentity? identity)
    {
        if (!FamilyParsing.RequireResolved(reader, "Dim", "ValueDim", "LearnableWidth", "Bandwidth")) return null;
        int dim = reader.GetInt("Dim", 1);
        int valueDim = reader.GetInt("ValueDim", 1);
        bool learnable = reader.GetBool("LearnableWidth", false);
        float bandwidth = reader.GetFloat("Bandwidth");

        bool valid = reader.RequirePositive("Dim", dim, ", the features of each query and key, or remove it for scalars");
        valid &= reader.RequirePositive("ValueDim", valueDim, ", the features of each value, or remove it for scalars");
        if (reader.IsSet("Bandwidth"))
        {
            if (learnable)
            {
                reader.Report(Descriptors.BandwidthWithLearnableWidth, reader.ArgumentLocation("Bandwidth"), reader.TypeName);
                valid = false;
            }
            else
            {
                valid &= FamilyParsing.RequirePositiveFinite(reader, "Bandwidth", bandwidth, "give the Gaussian's standard deviation σ, e.g. 1, or leave it out for 1");
            }
        }

        FamilyParsing.WarnIfWide(reader, "Dim", dim);
        FamilyParsing.WarnIfWide(reader, "ValueDim", valueDim);
        if (!valid || identity is null) return null;
        return new NadarayaWatsonSpec(identity, dim, valueDim, learnable, reader.IsSet("Bandwidth") ? bandwidth : 1f);
    }
}
