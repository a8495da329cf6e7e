namespace Attend.Generators.Parsing;

/// <summary>Turns a <c>[VisionTransformer]</c> declaration into a <see cref="VisionTransformerSpec"/> or diagnostics.</summary>
internal static class VisionTransformerParser
{
    /// <summary>lucidrains' <c>ViT(dim_head=64)</c> default.</summary>
    private const int DefaultDimHead = 64;

    public static VisionTransformerSpec? Read(DeclarationReader reader, LayerIdentity? identity)
    {
        int imageSize = reader.GetInt("ImageSize");
        int patchSize = reader.GetInt("PatchSize");
        int channels = reader.IsSet("Channels") ? reader.GetInt("Channels") : 3;
        int classes = reader.GetInt("Classes");
        bool valid = reader.RequirePositive("ImageSize", imageSize, ", the image height and width in pixels");
        valid &= reader.RequirePositive("PatchSize", patchSize, ", the patch height and width in pixels");
        valid &= reader.RequirePositive("Channels", channels, ", or remove it for 3");
        valid &= reader.RequirePositive("Classes", classes, ", the number of classes (num_classes)");
        if (imageSize > 0 && patchSize > 0 && imageSize % patchSize != 0)
        {
            int suggestion = patchSize;
            while (suggestion > 1 && imageSize % suggestion != 0) suggestion--;
            reader.Report(Descriptors.ImageNotDivisibleByPatch, reader.ArgumentLocation("PatchSize"), Text(imageSize), reader.TypeName, Text(patchSize), Text(suggestion));
            valid = false;
        }

        // Every attention map is Tokens × Tokens per head and image: keep the token count far from int overflow.
        double pixels = valid ? (double)(imageSize / patchSize) * (imageSize / patchSize) * channels * patchSize * patchSize : 0;
        if (pixels > 1 << 24)
        {
            reader.Report(Descriptors.SizeTooLarge, reader.ArgumentLocation("ImageSize"), "Patches × PatchDim", reader.TypeName, pixels.ToString("0", CultureInfo.InvariantCulture));
            valid = false;
        }

        int pooling = EncoderStackReader.ReadOption(reader, "Pooling", "Pooling", BlockOptions.PoolingNames, ref valid);
        int naming = reader.IsSet("WeightNaming")
            ? EncoderStackReader.ReadOption(reader, "WeightNaming", "TransformerWeightNaming", BlockOptions.NamingNames, ref valid)
            : BlockOptions.NamingVit;
        if (naming == BlockOptions.NamingTorch && reader.IsSet("WeightNaming"))
        {
            reader.Report(Descriptors.NamingNotAvailable, reader.ArgumentLocation("WeightNaming"), "TorchEncoder", "VisionTransformer", reader.TypeName,
                "TransformerWeightNaming.Vit or VitPreNorm (lucidrains ViT); for torch.nn layers declare a [TransformerEncoder] and embed the patches yourself");
            valid = false;
        }

        EncoderStackSpec? stack = EncoderStackReader.Read(reader, naming == BlockOptions.NamingTorch ? BlockOptions.NamingVit : naming, DefaultDimHead);
        if (!valid || stack is null || identity is null) return null;
        return new VisionTransformerSpec(identity, imageSize, patchSize, channels, classes, pooling, stack);
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
