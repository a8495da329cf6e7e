namespace Attend.Generators.Parsing;

/// <summary>Turns a <c>[MultiHeadAttention]</c> declaration into a <see cref="MultiHeadAttentionSpec"/> or diagnostics.</summary>
internal static class MultiHeadAttentionParser
{
    public static MultiHeadAttentionSpec? Read(DeclarationReader reader, LayerIdentity? identity)
    {
        int mask = reader.GetInt("Mask");
        float scale = reader.GetFloat("Scale");
        bool valid = true;
        int modelDim = reader.ReadPositive("ModelDim", ", the model width (embed_dim)", ref valid);
        int heads = reader.ReadPositive("Heads", ", the number of heads (num_heads)", ref valid);
        int dimHead = reader.ReadOptionalPositive("DimHead", ", or remove it to use ModelDim / Heads", ref valid);
        int keyDim = reader.ReadOptionalPositive("KeyDim", ", or remove it to use ModelDim", ref valid);
        int valueDim = reader.ReadOptionalPositive("ValueDim", ", or remove it to use ModelDim", ref valid);
        int kvHeads = reader.ReadOptionalPositive("KvHeads", HeadRules.KvHeadsHint, ref valid);
        int window = reader.ReadOptionalPositive("Window", HeadRules.WindowHint, ref valid);
        // Named at all (Float32 included) → projections stored as PackedProjection, precision choosable at load time.
        int? weightPrecision = reader.IsSet("WeightPrecision")
            ? EncoderStackReader.ReadOption(reader, "WeightPrecision", "WeightPrecision", BlockOptions.WeightPrecisionNames, ref valid)
            : null;
        kvHeads = kvHeads <= 0 ? heads : kvHeads;
        if (valid) valid &= HeadRules.RequireKvHeadsDivideHeads(reader, heads, kvHeads);

        if (modelDim > 0 && heads > 0 && !reader.IsSet("DimHead"))
        {
            valid &= HeadRules.RequireModelDimDivisible(reader, modelDim, heads);
            dimHead = HeadRules.DefaultDimHead(modelDim, heads);
        }

        valid &= HeadRules.RequireSupportedMask(reader, mask);

        if (reader.IsSet("Scale") && !(scale > 0f && !float.IsInfinity(scale)) && scale != 0f)
        {
            reader.Report(Descriptors.InvalidScale, reader.ArgumentLocation("Scale"), scale.ToString("R", CultureInfo.InvariantCulture), reader.TypeName);
            valid = false;
        }

        valid &= HeadRules.CheckDimHead(reader, dimHead);

        if (valid)
        {
            keyDim = keyDim == 0 ? modelDim : keyDim;
            valueDim = valueDim == 0 ? modelDim : valueDim;
            // In double: the product of three ints and 3 can pass long.MaxValue and wrap to a "small" negative number.
            double largest = (double)Math.Max(modelDim, Math.Max(keyDim, valueDim)) * heads * dimHead * 3;
            if (largest > int.MaxValue / 2)
            {
                reader.Report(Descriptors.SizeTooLarge, reader.ArgumentLocation("ModelDim"), "ModelDim × Heads × DimHead", reader.TypeName, largest.ToString("0", CultureInfo.InvariantCulture));
                valid = false;
            }
        }

        if (!valid || identity is null) return null;

        bool scaleIsDefault = scale == 0f;
        float resolvedScale = scaleIsDefault ? (float)(1.0 / Math.Sqrt(dimHead)) : scale;
        return new MultiHeadAttentionSpec(
            identity, modelDim, heads, dimHead, keyDim, valueDim,
            reader.GetBool("Bias", true), HeadRules.Has(mask, AttentionMask.Causal), HeadRules.Has(mask, AttentionMask.KeyPadding),
            resolvedScale, scaleIsDefault, kvHeads, window, weightPrecision);
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
