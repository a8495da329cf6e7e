namespace Attend.Generators.Parsing;

/// <summary>Turns a <c>[TransformerDecoder]</c> declaration into a <see cref="TransformerDecoderSpec"/> or diagnostics.</summary>
internal static class TransformerDecoderParser
{
    public static TransformerDecoderSpec? Read(DeclarationReader reader, LayerIdentity? identity)
    {
        int mask = reader.GetInt("Mask");
        bool valid = EncoderStackReader.ReadStackSizes(reader, out int modelDim, out int heads, out int mlpDim, out int depth);
        int norm = EncoderStackReader.ReadOption(reader, "Norm", "NormPlacement", BlockOptions.NormNames, ref valid);
        int activation = EncoderStackReader.ReadOption(reader, "Activation", "FeedForwardActivation", BlockOptions.ActivationNames, ref valid);
        int weightPrecision = EncoderStackReader.ReadOption(reader, "WeightPrecision", "WeightPrecision", BlockOptions.WeightPrecisionNames, ref valid);
        valid &= HeadRules.RequireModelDimDivisible(reader, modelDim, heads);
        valid &= HeadRules.RequireSupportedMask(reader, mask);

        float epsilon = EncoderStackReader.ReadPositiveFloat(reader, "LayerNormEpsilon", 1e-5f, "PyTorch's 1e-5", ref valid);
        // The decoder has no DimHead of its own: its heads are always ModelDim / Heads, as torch.nn.TransformerDecoderLayer's.
        int dimHead = valid ? HeadRules.DefaultDimHead(modelDim, heads) : 0;
        if (valid) valid &= HeadRules.CheckDimHead(reader, dimHead);
        double widest = (double)Math.Max(3L * modelDim, mlpDim) * Math.Max(modelDim, mlpDim);
        if (valid && widest > int.MaxValue / 2)
        {
            reader.Report(Descriptors.SizeTooLarge, reader.ArgumentLocation("ModelDim"), "ModelDim × MlpDim", reader.TypeName, widest.ToString("0", CultureInfo.InvariantCulture));
            valid = false;
        }

        if (!valid || identity is null) return null;
        return new TransformerDecoderSpec(identity, modelDim, heads, dimHead, mlpDim, depth, norm == BlockOptions.NormPre,
            activation == BlockOptions.ActivationDefault ? BlockOptions.ActivationRelu : activation,
            HeadRules.Has(mask, AttentionMask.Causal), HeadRules.Has(mask, AttentionMask.KeyPadding), epsilon, reader.GetBool("FinalNorm", false), weightPrecision);
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
