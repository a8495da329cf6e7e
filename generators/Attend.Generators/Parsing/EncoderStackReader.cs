namespace Attend.Generators.Parsing;

/// <summary>
/// Reads and checks the encoder-stack arguments <c>[TransformerEncoder]</c> and <c>[VisionTransformer]</c> share, and
/// resolves every default from the weight naming (pre-norm and GELU for lucidrains, post-norm and ReLU for torch.nn).
/// </summary>
internal static class EncoderStackReader
{
    private const float DefaultEpsilon = 1e-5f;
    private const float DefaultRotaryBase = 10000f;

    /// <param name="reader">The declaration.</param>
    /// <param name="naming">The weight naming, already checked to be defined and allowed.</param>
    /// <param name="defaultDimHead">The head width when DimHead is left out; 0 means <c>ModelDim / Heads</c>.</param>
    /// <returns>The stack, or null after reporting why it is invalid.</returns>
    public static EncoderStackSpec? Read(DeclarationReader reader, int naming, int defaultDimHead)
    {
        int mask = reader.GetInt("Mask");
        bool valid = ReadStackSizes(reader, out int modelDim, out int heads, out int mlpDim, out int depth);
        int dimHead = reader.ReadOptionalPositive("DimHead", ", or remove it for the default", ref valid);
        int kvHeads = reader.ReadOptionalPositive("KvHeads", HeadRules.KvHeadsHint, ref valid);
        int window = reader.ReadOptionalPositive("Window", HeadRules.WindowHint, ref valid);

        int norm = ReadOption(reader, "Norm", "NormPlacement", BlockOptions.NormNames, ref valid);
        int activation = ReadOption(reader, "Activation", "FeedForwardActivation", BlockOptions.ActivationNames, ref valid);
        int positions = ReadOption(reader, "Positions", "PositionEncoding", BlockOptions.PositionNames, ref valid);
        int weightPrecision = ReadOption(reader, "WeightPrecision", "WeightPrecision", BlockOptions.WeightPrecisionNames, ref valid);
        // torch.nn and Hugging Face BERT share the rules that matter here: post-norm allowed, heads of ModelDim / Heads.
        bool torch = naming is BlockOptions.NamingTorch or BlockOptions.NamingBert;

        if (!reader.IsSet("DimHead") && modelDim > 0 && heads > 0)
        {
            if (defaultDimHead > 0)
            {
                dimHead = defaultDimHead;
            }
            else if (HeadRules.RequireModelDimDivisible(reader, modelDim, heads))
            {
                dimHead = HeadRules.DefaultDimHead(modelDim, heads);
            }
            else
            {
                valid = false;
            }
        }
        else if (torch && dimHead > 0 && modelDim > 0 && heads > 0 && dimHead * heads != modelDim)
        {
            reader.Report(Descriptors.HeadWidthFixedByTorch, reader.ArgumentLocation("DimHead"), Text(dimHead), reader.TypeName,
                modelDim % heads == 0 ? Text(modelDim / heads) : $"{modelDim}/{heads}, not a whole number");
            valid = false;
        }

        if (!torch && norm == BlockOptions.NormPost)
        {
            reader.Report(Descriptors.NamingFixesNormPlacement, reader.ArgumentLocation("Norm"), BlockOptions.NamingNames[naming], reader.TypeName);
            valid = false;
        }

        kvHeads = kvHeads == 0 ? heads : kvHeads;
        if (valid) valid &= HeadRules.RequireKvHeadsDivideHeads(reader, heads, kvHeads);
        valid &= HeadRules.RequireSupportedMask(reader, mask);

        float epsilon = ReadPositiveFloat(reader, "LayerNormEpsilon", DefaultEpsilon, "PyTorch's 1e-5", ref valid);
        float rotaryBase = ReadPositiveFloat(reader, "RotaryBase", DefaultRotaryBase, "θ = 10000", ref valid);
        int maxLength = reader.GetInt("MaxLength");
        int gridHeight = reader.GetInt("GridHeight");
        int gridWidth = reader.GetInt("GridWidth");
        int rotaryDim = reader.GetInt("RotaryDim");
        valid &= ReadPositions(reader, positions, dimHead, maxLength, gridHeight, gridWidth, ref rotaryDim);

        // The same head-width rule as the attention layers: a warning above 512, an error past what the kernels unroll.
        if (valid) valid &= HeadRules.CheckDimHead(reader, dimHead);

        if (valid)
        {
            // In long: (heads + 2·kvHeads)·dimHead alone can pass int.MaxValue.
            long outputs = Math.Max(Math.Max(modelDim, mlpDim), (heads + 2L * kvHeads) * dimHead);
            long inputs = Math.Max(Math.Max(modelDim, mlpDim), (long)heads * dimHead);
            double widest = (double)outputs * inputs;
            if (widest > int.MaxValue / 2)
            {
                reader.Report(Descriptors.SizeTooLarge, reader.ArgumentLocation("ModelDim"), "ModelDim × MlpDim", reader.TypeName, widest.ToString("0", CultureInfo.InvariantCulture));
                valid = false;
            }
        }

        if (!valid) return null;

        bool preNorm = !torch || norm == BlockOptions.NormPre;
        int resolvedActivation = activation != BlockOptions.ActivationDefault ? activation
            : naming == BlockOptions.NamingTorch ? BlockOptions.ActivationRelu : BlockOptions.ActivationGelu;
        bool finalNorm = naming == BlockOptions.NamingVit || reader.GetBool("FinalNorm", false);
        bool outputProjection = torch || !(heads == 1 && dimHead == modelDim);
        return new EncoderStackSpec(
            modelDim, heads, kvHeads, dimHead, mlpDim, depth, preNorm, resolvedActivation,
            HeadRules.Has(mask, AttentionMask.Causal), HeadRules.Has(mask, AttentionMask.KeyPadding), naming, epsilon, finalNorm,
            positions, maxLength, rotaryDim, rotaryBase, gridHeight, gridWidth, window,
            (float)(1.0 / Math.Sqrt(dimHead)), outputProjection, weightPrecision);
    }

    /// <summary>The sizes every <c>torch.nn</c>-style stack (encoder or decoder) requires, each reported (ATTEND004) when not positive.</summary>
    public static bool ReadStackSizes(DeclarationReader reader, out int modelDim, out int heads, out int mlpDim, out int depth)
    {
        bool valid = true;
        modelDim = reader.ReadPositive("ModelDim", ", the model width (d_model)", ref valid);
        heads = reader.ReadPositive("Heads", ", the number of heads (nhead)", ref valid);
        mlpDim = reader.ReadPositive("MlpDim", ", the feed-forward width (dim_feedforward)", ref valid);
        depth = reader.ReadPositive("Depth", ", the number of layers", ref valid);
        return valid;
    }

    /// <summary>Reads an enum argument, reporting ATTEND032 (the one undefined-enum rule) when its value is not a member.</summary>
    public static int ReadOption(DeclarationReader reader, string property, string enumName, string[] names, ref bool valid)
    {
        int value = reader.GetInt(property);
        if (OptionChecks.RequireDefined(reader, property, value, enumName, names)) return value;
        valid = false;
        return 0;
    }

    /// <summary>Reads a float that 0 leaves at its default, reporting ATTEND045 for a negative, NaN or infinite value.</summary>
    public static float ReadPositiveFloat(DeclarationReader reader, string property, float defaultValue, string defaultText, ref bool valid)
    {
        float value = reader.GetFloat(property);
        if (value == 0f) return defaultValue;
        if (value > 0f && !float.IsInfinity(value)) return value;
        reader.Report(Descriptors.InvalidFloatOption, reader.ArgumentLocation(property), property, value.ToString("R", CultureInfo.InvariantCulture), reader.TypeName, defaultText);
        valid = false;
        return defaultValue;
    }

    private static bool ReadPositions(DeclarationReader reader, int positions, int dimHead, int maxLength, int gridHeight, int gridWidth, ref int rotaryDim)
    {
        bool valid = true;
        bool usesMaxLength = positions is BlockOptions.PositionsLearned or BlockOptions.PositionsRelative1D;
        bool usesGrid = positions == BlockOptions.PositionsRelative2D;
        bool rotary = positions is BlockOptions.PositionsRotaryHalf or BlockOptions.PositionsRotaryInterleaved;
        string name = BlockOptions.PositionNames[positions];

        if (usesMaxLength && maxLength <= 0)
        {
            reader.Report(Descriptors.PositionsNeedSize, reader.ArgumentLocation(reader.IsSet("MaxLength") ? "MaxLength" : "Positions"), name, reader.TypeName, "MaxLength, the longest sequence it covers");
            valid = false;
        }

        if (usesGrid && (gridHeight <= 0 || gridWidth <= 0))
        {
            reader.Report(Descriptors.PositionsNeedSize, reader.ArgumentLocation(gridHeight <= 0 && reader.IsSet("GridHeight") ? "GridHeight" : gridWidth <= 0 && reader.IsSet("GridWidth") ? "GridWidth" : "Positions"),
                name, reader.TypeName, "GridHeight and GridWidth, the token grid");
            valid = false;
        }

        if (rotary)
        {
            bool explicitDim = reader.IsSet("RotaryDim");
            int resolved = explicitDim ? rotaryDim : dimHead;
            if (dimHead > 0 && (resolved <= 0 || resolved % 2 != 0 || resolved > dimHead))
            {
                reader.Report(Descriptors.InvalidRotaryDim, reader.ArgumentLocation(explicitDim ? "RotaryDim" : "Positions"), Text(resolved), reader.TypeName, Text(dimHead), Text(Math.Max(2, dimHead - dimHead % 2)));
                valid = false;
            }

            rotaryDim = resolved;
        }
        else
        {
            rotaryDim = 0;
        }

        string without = $"with Positions = {name}";
        if (reader.IsSet("MaxLength") && !usesMaxLength) reader.Report(Descriptors.OptionHasNoEffect, reader.ArgumentLocation("MaxLength"), "MaxLength", reader.TypeName, without, "use Positions = Learned or RelativeBias1D");
        if ((reader.IsSet("GridHeight") || reader.IsSet("GridWidth")) && !usesGrid) reader.Report(Descriptors.OptionHasNoEffect, reader.ArgumentLocation(reader.IsSet("GridHeight") ? "GridHeight" : "GridWidth"), "GridHeight/GridWidth", reader.TypeName, without, "use Positions = RelativeBias2D");
        if ((reader.IsSet("RotaryDim") || reader.IsSet("RotaryBase")) && !rotary) reader.Report(Descriptors.OptionHasNoEffect, reader.ArgumentLocation(reader.IsSet("RotaryDim") ? "RotaryDim" : "RotaryBase"), reader.IsSet("RotaryDim") ? "RotaryDim" : "RotaryBase", reader.TypeName, without, "use Positions = RotaryHalf or RotaryInterleaved");
        return valid;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
