using static Attend.Generators.Parsing.OptionChecks;

namespace Attend.Generators.Parsing;

/// <summary>Turns <c>[BottleneckAttention]</c>, <c>[TripletAttention]</c> and <c>[SelectiveKernelAttention]</c> declarations into specs or diagnostics.</summary>
internal static class ExternalAttentionParsers
{
    /// <summary>The collection's <c>SKAttention</c> default branches.</summary>
    private static readonly int[] DefaultKernelSizes = { 1, 3, 5, 7 };

    public static BottleneckAttentionSpec? ReadBottleneckAttention(DeclarationReader reader, LayerIdentity? identity)
    {
        bool valid = ReadChannelsAndReduction(reader, out int channels, out int reduction);
        int dilation = reader.ReadPositive("DilationValue", ", the dilation of the spatial 3×3 convolutions (dia_val; 1 for none)", ref valid, defaultValue: 2);
        int layers = reader.ReadPositive("Layers", ", the hidden layers of each gate (num_layers; the module uses 3)", ref valid, defaultValue: 3);
        int hidden = channels > 0 && reduction > 0 ? channels / reduction : 0;
        if (channels > 0 && reduction > 0 && hidden == 0)
        {
            reader.Report(Descriptors.ReductionLeavesNoBottleneck, reader.ArgumentLocation("Reduction"), Text(reduction), reader.TypeName, Text(channels), "gates' hidden layers");
            valid = false;
        }

        valid = valid && RequireWeightFits(reader, "Channels", "Channels × hidden channels", channels, hidden)
            && RequireWeightFits(reader, "Layers", "Layers × hidden channels² × 9", layers, Clamped(9L * hidden * hidden));
        return valid ? new BottleneckAttentionSpec(identity!, channels, hidden, dilation, layers) : null;
    }

    public static TripletAttentionSpec? ReadTripletAttention(DeclarationReader reader, LayerIdentity? identity)
    {
        int channels = reader.GetInt("Channels");
        bool valid = reader.RequirePositive("Channels", channels, ", the number of feature-map channels");
        return valid ? new TripletAttentionSpec(identity!, channels, reader.GetBool("NoSpatial", false)) : null;
    }

    public static SelectiveKernelAttentionSpec? ReadSelectiveKernelAttention(DeclarationReader reader, LayerIdentity? identity)
    {
        bool valid = ReadChannelsAndReduction(reader, out int channels, out int reduction);
        int groups = reader.ReadPositive("Groups", ", the groups of each branch convolution (group)", ref valid, defaultValue: 1);
        int minimum = reader.ReadPositive("MinHiddenChannels", ", the fewest hidden channels of the selection (L)", ref valid, defaultValue: 32);
        int[] kernels = reader.GetIntArray("KernelSizes", DefaultKernelSizes);
        if (kernels.Length == 0)
        {
            reader.Report(Descriptors.NoBranches, reader.ArgumentLocation("KernelSizes"), reader.TypeName);
            valid = false;
        }

        foreach (int kernel in kernels)
        {
            valid &= reader.RequirePositive("KernelSizes", kernel, ": each branch's kernel size, odd");
            valid &= RequireOdd(reader, "KernelSizes", kernel);
        }

        if (channels > 0 && groups > 0 && channels % groups != 0)
        {
            int divisor = Enumerable.Range(1, groups).Last(g => channels % g == 0);
            reader.Report(Descriptors.ChannelsNotDivisibleByGroups, reader.ArgumentLocation("Groups"), Text(channels), reader.TypeName, Text(groups), Text(divisor));
            valid = false;
        }

        int hidden = reduction > 0 ? System.Math.Max(minimum, channels / reduction) : 0;
        valid = valid && RequireWeightFits(reader, "Channels", "KernelSizes.Length × Channels × hidden channels", (long)kernels.Length * channels, hidden)
            && kernels.All(k => RequireWeightFits(reader, "KernelSizes", "Channels × Channels / Groups × k²", channels, Clamped(Clamped((long)(channels / groups) * k) * k)));
        return valid ? new SelectiveKernelAttentionSpec(identity!, channels, kernels.ToEquatableArray(), groups, hidden) : null;
    }

    /// <summary><c>Channels</c> (the module's <c>channel</c>) and <c>Reduction</c> (default 16), each required positive.</summary>
    private static bool ReadChannelsAndReduction(DeclarationReader reader, out int channels, out int reduction)
    {
        bool valid = true;
        channels = reader.ReadPositive("Channels", ", the number of feature-map channels (channel)", ref valid);
        reduction = reader.ReadPositive("Reduction", ", the ratio Channels / hidden channels", ref valid, defaultValue: 16);
        return valid;
    }

    /// <summary>At most one past the largest array, so that a further product by an int cannot overflow a long.</summary>
    private static long Clamped(long value) => System.Math.Min(value, MaxArrayLength + 1);
}
