using static Attend.Generators.Parsing.OptionChecks;

namespace Attend.Generators.Parsing;

/// <summary>Turns <c>[DanetPositionAttention]</c>, <c>[DanetChannelAttention]</c> and <c>[ConvolutionalSelfAttention]</c> declarations into specs or diagnostics.</summary>
internal static class DualAttentionParsers
{
    /// <summary>The DANet authors' PAM projects queries and keys to <c>in_dim // 8</c> channels.</summary>
    private const int OfficialQueryKeyReduction = 8;

    public static DanetPositionAttentionSpec? ReadPosition(DeclarationReader reader, LayerIdentity? identity)
    {
        int channels = reader.GetInt("Channels");
        bool valid = reader.RequirePositive("Channels", channels, ", the number of feature-map channels (d_model / in_dim)");
        valid &= ReadVariant(reader, out bool official);
        int kernel = 0, queryKey = channels;
        if (official)
        {
            WarnIfSet(reader, "KernelSize", "because the official PAM has no convolution before the attention");
            if (reader.IsSet("QueryKeyChannels"))
            {
                queryKey = reader.GetInt("QueryKeyChannels");
                valid &= reader.RequirePositive("QueryKeyChannels", queryKey, ", or remove it for Channels / 8");
            }
            else if (channels > 0)
            {
                queryKey = channels / OfficialQueryKeyReduction;
                if (queryKey == 0)
                {
                    reader.Report(Descriptors.DanetQueryKeyChannelsVanish, reader.ArgumentLocation("Channels"), Text(channels), reader.TypeName);
                    valid = false;
                }
            }

            valid = valid && reader.CheckHeadWidth("QueryKeyChannels", queryKey, reader.IsSet("QueryKeyChannels") ? "QueryKeyChannels" : "Channels");
        }
        else
        {
            WarnIfSet(reader, "QueryKeyChannels", "because the collection's head projects queries and keys to Channels");
            valid &= ReadKernel(reader, out kernel);
        }

        valid = valid && reader.CheckHeadWidth("Channels", channels, "Channels");
        valid = valid && RequireWeightFits(reader, "Channels", "Channels × Channels × KernelSize²", (long)channels * channels, (long)kernel * kernel);
        return valid ? new DanetPositionAttentionSpec(identity!, channels, official, kernel, queryKey) : null;
    }

    public static DanetChannelAttentionSpec? ReadChannel(DeclarationReader reader, LayerIdentity? identity)
    {
        int channels = reader.GetInt("Channels");
        bool valid = reader.RequirePositive("Channels", channels, ", the number of feature-map channels (d_model / in_dim)");
        valid &= ReadVariant(reader, out bool official);
        int kernel = 0, height = 0, width = 0;
        if (official)
        {
            WarnIfSet(reader, "KernelSize", "because the official CAM has no convolution before the attention");
            WarnIfSet(reader, "Height", "because the official CAM works at any size (height is a Forward argument)");
            WarnIfSet(reader, "Width", "because the official CAM works at any size (width is a Forward argument)");
        }
        else
        {
            valid &= ReadKernel(reader, out kernel);
            if (!reader.IsSet("Height") || !reader.IsSet("Width"))
            {
                reader.Report(Descriptors.DanetChannelNeedsSize, reader.ArgumentLocation(reader.IsSet("Height") ? "Width" : "Height"), reader.TypeName);
                valid = false;
            }
            else
            {
                height = reader.GetInt("Height");
                width = reader.GetInt("Width");
                valid &= reader.RequirePositive("Height", height, ", the rows the module's fc_o = Linear(H·W, H·W) was built for");
                valid &= reader.RequirePositive("Width", width, ", the columns the module's fc_o = Linear(H·W, H·W) was built for");
                valid = valid && RequireWeightFits(reader, "Height", "(Height × Width)²", (long)height * width, (long)height * width);
            }
        }

        valid = valid && RequireWeightFits(reader, "Channels", "Channels × Channels × KernelSize²", (long)channels * channels, (long)kernel * kernel);
        return valid ? new DanetChannelAttentionSpec(identity!, channels, official, kernel, height, width) : null;
    }

    public static ConvolutionalSelfAttentionSpec? ReadConvolutional(DeclarationReader reader, LayerIdentity? identity)
    {
        bool valid = true;
        int inChannels = reader.ReadPositive("InChannels", ", the channels of the input image", ref valid);
        int outChannels = reader.ReadPositive("OutChannels", ", the channels of the output image", ref valid);
        int kernel = reader.ReadPositive("KernelSize", ", odd: the K of the K×K convolution the K² heads can express", ref valid);
        valid &= RequireOdd(reader, "KernelSize", kernel);
        int headDim = reader.IsSet("HeadDim") ? reader.GetInt("HeadDim") : outChannels;
        if (reader.IsSet("HeadDim")) valid &= reader.RequirePositive("HeadDim", headDim, ", or remove it for OutChannels (the paper's construction)");
        valid = valid && RequireAtMost(reader, "KernelSize", "KernelSize", kernel, MaxKernelSize,
            "K² heads each filter every input channel; a larger receptive field wants a convolution, not this layer");
        valid = valid && RequireWeightFits(reader, "HeadDim", "K² × HeadDim × max(InChannels, OutChannels)", (long)kernel * kernel * headDim, System.Math.Max(inChannels, outChannels));
        return valid ? new ConvolutionalSelfAttentionSpec(identity!, inChannels, outChannels, kernel, headDim) : null;
    }

    /// <summary>Largest K: 31² = 961 heads.</summary>
    private const int MaxKernelSize = 31;

    private static bool ReadVariant(DeclarationReader reader, out bool official)
    {
        int variant = reader.GetInt("Variant");
        official = variant == 1;
        return RequireDefined<DanetVariant>(reader, "Variant", variant);
    }

    private static bool ReadKernel(DeclarationReader reader, out int kernel)
    {
        kernel = reader.GetInt("KernelSize", 3);
        bool valid = reader.RequirePositive("KernelSize", kernel, ", odd: the collection's default is 3");
        valid &= RequireOdd(reader, "KernelSize", kernel);
        return valid;
    }
}
