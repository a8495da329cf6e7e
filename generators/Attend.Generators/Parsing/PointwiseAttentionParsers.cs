using static Attend.Generators.Parsing.OptionChecks;

namespace Attend.Generators.Parsing;

/// <summary>
/// Turns the External-Attention declarations whose work is per pixel, per channel or per token (<c>[SimAm]</c>,
/// <c>[ShuffleAttention]</c>, <c>[CoordinateAttention]</c>, <c>[PolarizedSelfAttention]</c>, <c>[ExternalAttention]</c>,
/// <c>[SeparableSelfAttention]</c>) into specs or diagnostics.
/// </summary>
internal static class PointwiseAttentionParsers
{
    /// <summary>The module's default <c>e_lambda</c>.</summary>
    private const float DefaultLambda = 1e-4f;

    /// <summary>CoordAtt's floor on the middle width: <c>mip = max(8, inp // reduction)</c>.</summary>
    private const int MinimumMiddleChannels = 8;

    public static SimAmSpec? ReadSimAm(DeclarationReader reader, LayerIdentity? identity)
    {
        int channels = reader.GetInt("Channels");
        bool valid = reader.RequirePositive("Channels", channels, ", the number of feature-map channels");
        float lambda = reader.GetFloat("Lambda", DefaultLambda);
        valid &= FamilyParsing.RequirePositiveFinite(reader, "Lambda", lambda, "λ is added to each channel's variance (the module's default is 1e-4); zero divides a constant channel by zero");
        return valid ? new SimAmSpec(identity!, channels, lambda) : null;
    }

    public static ShuffleAttentionSpec? ReadShuffleAttention(DeclarationReader reader, LayerIdentity? identity)
    {
        bool valid = true;
        int channels = reader.ReadPositive("Channels", ", the number of feature-map channels", ref valid);
        int groups = reader.ReadPositive("Groups", ", the number of channel groups G (the module's default is 8)", ref valid, defaultValue: 8);
        valid = valid && RequireMultiple(reader, channels, 2L * groups, $"2 × Groups: each of the {Text(groups)} groups splits into a channel half and a spatial half");
        return valid ? new ShuffleAttentionSpec(identity!, channels, groups) : null;
    }

    public static CoordinateAttentionSpec? ReadCoordinateAttention(DeclarationReader reader, LayerIdentity? identity)
    {
        bool valid = true;
        int channels = reader.ReadPositive("Channels", ", the number of feature-map channels (inp)", ref valid);
        int reduction = reader.ReadPositive("Reduction", ", the ratio Channels / middle channels (the module's default is 32)", ref valid, defaultValue: 32);
        if (!valid) return null;
        int middle = System.Math.Max(MinimumMiddleChannels, channels / reduction);
        return RequireWeightFits(reader, "Channels", "Channels × middle channels", channels, middle)
            ? new CoordinateAttentionSpec(identity!, channels, reduction, middle)
            : null;
    }

    public static PolarizedSelfAttentionSpec? ReadPolarizedSelfAttention(DeclarationReader reader, LayerIdentity? identity)
    {
        int channels = reader.GetInt("Channels");
        bool valid = reader.RequirePositive("Channels", channels, ", the number of feature-map channels");
        int layout = reader.GetInt("Layout");
        valid &= RequireDefined<PolarizedLayout>(reader, "Layout", layout);
        // The module's c // 2 rounds down, so odd channel counts are valid; one channel leaves nothing.
        if (valid && channels < 2)
        {
            reader.Report(Descriptors.NoHalfChannels, reader.ArgumentLocation("Channels"), Text(channels), reader.TypeName);
            valid = false;
        }

        valid = valid && RequireWeightFits(reader, "Channels", "Channels × Channels / 2", channels, channels / 2);
        return valid ? new PolarizedSelfAttentionSpec(identity!, channels, layout == 1) : null;
    }

    public static ExternalAttentionSpec? ReadExternalAttention(DeclarationReader reader, LayerIdentity? identity)
    {
        int model = reader.GetInt("ModelDim");
        bool valid = reader.RequirePositive("ModelDim", model, ", the features per token (d_model)");
        int units = reader.GetInt("MemoryUnits", 64);
        valid &= reader.RequirePositive("MemoryUnits", units, ", the number of memory units S (the module's default is 64)");
        valid = valid && FamilyParsing.RequireFitsInArray(reader, "The packed memory mk", FamilyParsing.PackedLinearLength(model, units), "MemoryUnits or ModelDim", "MemoryUnits");
        valid = valid && FamilyParsing.RequireFitsInArray(reader, "The packed memory mv", FamilyParsing.PackedLinearLength(units, model), "MemoryUnits or ModelDim", "ModelDim");
        return valid ? new ExternalAttentionSpec(identity!, model, units) : null;
    }

    public static SeparableSelfAttentionSpec? ReadSeparableSelfAttention(DeclarationReader reader, LayerIdentity? identity)
    {
        int model = reader.GetInt("ModelDim");
        bool valid = reader.RequirePositive("ModelDim", model, ", the features per token (d_model)");
        valid = valid && FamilyParsing.RequireFitsInArray(reader, "A packed ModelDim × ModelDim projection", FamilyParsing.PackedLinearLength(model, model), "ModelDim", "ModelDim");
        return valid ? new SeparableSelfAttentionSpec(identity!, model, reader.GetBool("ValueRelu", false)) : null;
    }

    /// <summary>Reports ATTEND060 unless <paramref name="channels"/> is a multiple of <paramref name="divisor"/>.</summary>
    private static bool RequireMultiple(DeclarationReader reader, int channels, long divisor, string why)
    {
        if (channels % divisor == 0) return true;
        long nearest = System.Math.Max(divisor, (channels + divisor / 2) / divisor * divisor);
        reader.Report(Descriptors.ChannelsNotDivisible, reader.ArgumentLocation("Channels"), Text(channels), reader.TypeName,
            divisor.ToString(System.Globalization.CultureInfo.InvariantCulture), why, nearest.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return false;
    }
}
