using static Attend.Generators.Parsing.OptionChecks;

namespace Attend.Generators.Parsing;

/// <summary>Turns an <c>[Attention]</c> declaration into a <see cref="ScoreAttentionSpec"/> or diagnostics.</summary>
internal static class ScoreAttentionParser
{
    private const int TopKSelection = (int)AttentionSelection.TopK;
    private const int Predictive = 2;

    public static ScoreAttentionSpec? Read(DeclarationReader reader, LayerIdentity? identity)
    {
        int score = reader.GetInt("Score");
        bool valid = RequireDefined<AttentionScore>(reader, "Score", score);
        int querySize = reader.GetInt("QuerySize");
        valid &= reader.RequirePositive("QuerySize", querySize, ", the features per query row");
        int keySize = reader.GetInt("KeySize");
        if (reader.IsSet("KeySize")) valid &= reader.RequirePositive("KeySize", keySize, ", or remove it to use QuerySize");
        else keySize = querySize;
        int valueSize = reader.GetInt("ValueSize");
        if (reader.IsSet("ValueSize")) valid &= reader.RequirePositive("ValueSize", valueSize, ", or remove it to use KeySize");
        else valueSize = keySize;

        var kind = (AttentionScore)score;
        bool comparesDirectly = kind is AttentionScore.Dot or AttentionScore.ScaledDot or AttentionScore.Cosine;
        if (valid && comparesDirectly && keySize != querySize)
        {
            reader.Report(Descriptors.ScoreNeedsEqualSizes, reader.ArgumentLocation("KeySize"), "AttentionScore." + kind, reader.TypeName, Text(keySize), Text(querySize));
            valid = false;
        }

        int hidden = 0;
        if (kind is AttentionScore.Additive or AttentionScore.Mlp)
        {
            hidden = reader.GetInt("Hidden");
            valid &= reader.RequirePositive("Hidden", hidden, ", the hidden width of the score (d2l's num_hiddens)");
        }
        else if (System.Enum.IsDefined(typeof(AttentionScore), score))
        {
            WarnIfSet(reader, "Hidden", $"because Score = AttentionScore.{kind} has no hidden layer");
        }

        int selection = reader.GetInt("Selection");
        valid &= RequireDefined<AttentionSelection>(reader, "Selection", selection);
        int topK = 0;
        if (selection == TopKSelection)
        {
            topK = reader.GetInt("TopK");
            valid &= reader.RequirePositive("TopK", topK, ", the number of keys top-k selection keeps");
        }
        else
        {
            WarnIfSet(reader, "TopK", "unless Selection = AttentionSelection.TopK");
        }

        int local = reader.GetInt("Local");
        valid &= RequireDefined<LocalAttention>(reader, "Local", local);
        int window = 0;
        if (local != 0)
        {
            window = reader.GetInt("Window");
            valid &= reader.RequirePositive("Window", window, ", the half-width D of the local window");
        }
        else
        {
            WarnIfSet(reader, "Window", "unless Local is LocalAttention.Monotonic or LocalAttention.Predictive");
        }

        int positionHidden = 0;
        if (local == Predictive)
        {
            positionHidden = reader.IsSet("PositionHidden") ? reader.GetInt("PositionHidden") : querySize;
            if (reader.IsSet("PositionHidden")) valid &= reader.RequirePositive("PositionHidden", positionHidden, ", or remove it to use QuerySize");
        }
        else
        {
            WarnIfSet(reader, "PositionHidden", "unless Local = LocalAttention.Predictive");
        }

        if (valid)
        {
            valid &= kind switch
            {
                AttentionScore.General => RequireWeightFits(reader, "QuerySize", "QuerySize × KeySize", querySize, keySize),
                AttentionScore.Additive or AttentionScore.Mlp => RequireWeightFits(reader, "Hidden", "Hidden × (QuerySize + KeySize)", hidden, (long)querySize + keySize),
                _ => true,
            };
            if (local == Predictive) valid &= RequireWeightFits(reader, "PositionHidden", "PositionHidden × QuerySize", positionHidden, querySize);
        }

        return valid ? new ScoreAttentionSpec(identity!, kind, querySize, keySize, valueSize, hidden, selection, topK, local, window, positionHidden) : null;
    }
}
