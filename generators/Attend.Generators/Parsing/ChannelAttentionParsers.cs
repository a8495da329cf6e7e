using static Attend.Generators.Parsing.OptionChecks;

namespace Attend.Generators.Parsing;

/// <summary>Turns <c>[SqueezeExcitation]</c>, <c>[EfficientChannelAttention]</c> and <c>[ConvBlockAttention]</c> declarations into specs or diagnostics.</summary>
internal static class ChannelAttentionParsers
{
    public static SqueezeExcitationSpec? ReadSqueezeExcitation(DeclarationReader reader, LayerIdentity? identity)
    {
        int channels = reader.GetInt("Channels");
        bool valid = reader.RequirePositive("Channels", channels, ", the number of feature-map channels (input_channels)");
        valid &= ReadHidden(reader, channels, "SqueezeChannels", out int squeeze);
        int pooling = reader.GetInt("Pooling");
        valid &= RequireDefined<ChannelPooling>(reader, "Pooling", pooling);
        int gate = reader.GetInt("Gate");
        valid &= RequireDefined<GateActivation>(reader, "Gate", gate);
        valid = valid && RequireWeightFits(reader, "Channels", "Channels × SqueezeChannels", channels, squeeze);
        return valid ? new SqueezeExcitationSpec(identity!, channels, squeeze, pooling, gate == 1) : null;
    }

    public static EfficientChannelAttentionSpec? ReadEfficientChannelAttention(DeclarationReader reader, LayerIdentity? identity)
    {
        int channels = reader.GetInt("Channels");
        bool valid = reader.RequirePositive("Channels", channels, ", the number of feature-map channels");
        bool adaptive = !reader.IsSet("KernelSize");
        int kernel = adaptive ? (channels > 0 ? EcaKernelRule.AdaptiveKernelSize(channels) : 1) : reader.GetInt("KernelSize");
        if (!adaptive)
        {
            valid &= reader.RequirePositive("KernelSize", kernel, ", odd, or remove it for the adaptive size from Channels");
            valid &= RequireOdd(reader, "KernelSize", kernel);
            valid &= RequireAtMost(reader, "KernelSize", "KernelSize", kernel, MaxUnrolledKernel, "its taps are unrolled into the emitted code; ECA's adaptive rule gives 3 to 9 for up to 65536 channels");
        }

        return valid ? new EfficientChannelAttentionSpec(identity!, channels, kernel, adaptive) : null;
    }

    public static ConvBlockAttentionSpec? ReadConvBlockAttention(DeclarationReader reader, LayerIdentity? identity)
    {
        int channels = reader.GetInt("Channels");
        bool valid = reader.RequirePositive("Channels", channels, ", the number of feature-map channels");
        valid &= ReadHidden(reader, channels, "HiddenChannels", out int hidden);
        int kernel = reader.GetInt("SpatialKernelSize", 7);
        valid &= reader.RequirePositive("SpatialKernelSize", kernel, ", odd: 7 (the paper's) or 3");
        valid &= RequireOdd(reader, "SpatialKernelSize", kernel);
        valid &= RequireAtMost(reader, "SpatialKernelSize", "SpatialKernelSize", kernel, MaxUnrolledKernel, "each kernel row is unrolled into the emitted code; CBAM uses 7 or 3");
        valid = valid && RequireWeightFits(reader, "Channels", "Channels × HiddenChannels", channels, hidden);
        return valid ? new ConvBlockAttentionSpec(identity!, channels, hidden, kernel) : null;
    }

    /// <summary>The hidden width: <paramref name="directProperty"/> when set, else <c>Channels / Reduction</c>.</summary>
    private static bool ReadHidden(DeclarationReader reader, int channels, string directProperty, out int hidden)
    {
        if (reader.IsSet(directProperty))
        {
            hidden = reader.GetInt(directProperty);
            WarnIfSet(reader, "Reduction", $"because {directProperty} is set");
            return reader.RequirePositive(directProperty, hidden, ", or remove it to use Channels / Reduction");
        }

        int reduction = reader.GetInt("Reduction", 16);
        hidden = 0;
        if (!reader.RequirePositive("Reduction", reduction, ", the ratio Channels / hidden channels")) return false;
        if (channels <= 0) return false;
        hidden = channels / reduction;
        if (hidden > 0) return true;
        reader.Report(Descriptors.ReductionLeavesNoChannels, reader.ArgumentLocation("Reduction"), Text(reduction), reader.TypeName, Text(channels), directProperty);
        return false;
    }
}
