namespace Attend.Generators.Parsing;

/// <summary>
/// Turns a <c>[BertModel]</c> declaration into a <see cref="BertModelSpec"/> or diagnostics. The encoder's sizes go through
/// the same reader as every other stack; what BERT fixes (post-norm, key padding, ε = 1e-12) is set here.
/// </summary>
internal static class BertModelParser
{
    private const int DefaultMaxPositions = 512;
    private const int DefaultTypeVocabSize = 2;
    private const float BertEpsilon = 1e-12f;

    public static BertModelSpec? Read(DeclarationReader reader, LayerIdentity? identity)
    {
        int vocabSize = reader.GetInt("VocabSize");
        int maxPositions = reader.IsSet("MaxPositions") ? reader.GetInt("MaxPositions") : DefaultMaxPositions;
        int typeVocabSize = reader.IsSet("TypeVocabSize") ? reader.GetInt("TypeVocabSize") : DefaultTypeVocabSize;
        bool valid = reader.RequirePositive("VocabSize", vocabSize, ", the word embedding's rows (vocab_size)");
        valid &= reader.RequirePositive("MaxPositions", maxPositions, " (max_position_embeddings), or remove it for 512");
        valid &= reader.RequirePositive("TypeVocabSize", typeVocabSize, " (type_vocab_size), or remove it for 2");
        int pooling = EncoderStackReader.ReadOption(reader, "Pooling", "EmbeddingPooling", BlockOptions.EmbeddingPoolingNames, ref valid);

        EncoderStackSpec? stack = EncoderStackReader.Read(reader, BlockOptions.NamingBert, defaultDimHead: 0);
        if (!valid || stack is null || identity is null) return null;

        // Every embedding table must fit one array, as the stack's own weights must.
        foreach ((string name, int rows) in new[] { ("VocabSize", vocabSize), ("MaxPositions", maxPositions), ("TypeVocabSize", typeVocabSize) })
        {
            double floats = (double)rows * stack.ModelDim;
            if (floats > int.MaxValue / 2)
            {
                reader.Report(Descriptors.SizeTooLarge, reader.ArgumentLocation(name), name + " × ModelDim", reader.TypeName, floats.ToString("0", System.Globalization.CultureInfo.InvariantCulture));
                return null;
            }
        }

        float epsilon = reader.IsSet("LayerNormEpsilon") ? stack.Epsilon : BertEpsilon;
        stack = stack with { PreNorm = false, KeyPadding = true, Epsilon = epsilon, FinalNorm = false };
        return new BertModelSpec(identity, vocabSize, maxPositions, typeVocabSize, pooling, reader.GetBool("NormalizeEmbeddings", false), stack);
    }
}
