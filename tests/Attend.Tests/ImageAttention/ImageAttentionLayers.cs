using System;
using Attend;

namespace Attend.Tests.ImageAttention;

// DANet position and channel attention at the fixtures' shapes (TestData/fixtures/danet_*; /work/shared/fixtures/README.md).
[DanetPositionAttention(Channels = 16)] internal sealed partial class PamC16;
[DanetPositionAttention(Channels = 64)] internal sealed partial class PamC64;
[DanetPositionAttention(Channels = 16, Variant = DanetVariant.Official)] internal sealed partial class PamOfficialC16;
[DanetPositionAttention(Channels = 64, Variant = DanetVariant.Official)] internal sealed partial class PamOfficialC64;
[DanetChannelAttention(Channels = 16, Height = 5, Width = 6)] internal sealed partial class CamC16H5W6;
[DanetChannelAttention(Channels = 64, Height = 7, Width = 7)] internal sealed partial class CamC64H7W7;
[DanetChannelAttention(Channels = 16, Variant = DanetVariant.Official)] internal sealed partial class CamOfficialC16;
[DanetChannelAttention(Channels = 64, Variant = DanetVariant.Official)] internal sealed partial class CamOfficialC64;

// Self-attention as convolution at the fixtures' shapes (TestData/fixtures/attnconv_*), and one more channel count.
[ConvolutionalSelfAttention(InChannels = 4, OutChannels = 6, KernelSize = 3)] internal sealed partial class AttnConvK3Small;
[ConvolutionalSelfAttention(InChannels = 4, OutChannels = 6, KernelSize = 5)] internal sealed partial class AttnConvK5Small;
[ConvolutionalSelfAttention(InChannels = 16, OutChannels = 24, KernelSize = 3)] internal sealed partial class AttnConvK3Medium;
[ConvolutionalSelfAttention(InChannels = 16, OutChannels = 24, KernelSize = 5)] internal sealed partial class AttnConvK5Medium;
[ConvolutionalSelfAttention(InChannels = 7, OutChannels = 5, KernelSize = 3, HeadDim = 3)] internal sealed partial class AttnConvHeadDim3;

/// <summary>One forward call of any image attention layer.</summary>
internal delegate void ImageForward(ReadOnlySpan<float> input, Span<float> output, int batch, int height, int width);

/// <summary>Builds the declared test layers by name, loaded and set to one path, behind one delegate shape.</summary>
internal static class ImageAttentionLayers
{
    public static ImageForward Create(string layer, IWeightSource weights, KernelPath path, int threads = 1, string prefix = "")
    {
        switch (layer)
        {
            case nameof(PamC16): { var l = new PamC16 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights, prefix); return l.Forward; }
            case nameof(PamC64): { var l = new PamC64 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights, prefix); return l.Forward; }
            case nameof(PamOfficialC16): { var l = new PamOfficialC16 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights, prefix); return l.Forward; }
            case nameof(PamOfficialC64): { var l = new PamOfficialC64 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights, prefix); return l.Forward; }
            case nameof(CamC16H5W6): { var l = new CamC16H5W6 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights, prefix); return l.Forward; }
            case nameof(CamC64H7W7): { var l = new CamC64H7W7 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights, prefix); return l.Forward; }
            case nameof(CamOfficialC16): { var l = new CamOfficialC16 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights, prefix); return l.Forward; }
            case nameof(CamOfficialC64): { var l = new CamOfficialC64 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights, prefix); return l.Forward; }
            case nameof(AttnConvK3Small): { var l = new AttnConvK3Small { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights, prefix); return l.Forward; }
            case nameof(AttnConvK5Small): { var l = new AttnConvK5Small { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights, prefix); return l.Forward; }
            case nameof(AttnConvK3Medium): { var l = new AttnConvK3Medium { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights, prefix); return l.Forward; }
            case nameof(AttnConvK5Medium): { var l = new AttnConvK5Medium { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights, prefix); return l.Forward; }
            case nameof(AttnConvHeadDim3): { var l = new AttnConvHeadDim3 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights, prefix); return l.Forward; }
            default: throw new ArgumentException($"No test layer named {layer}.", nameof(layer));
        }
    }

    /// <summary>The layer declared at a fixture's shape.</summary>
    public static string For(string fixture) => fixture switch
    {
        "danet_pam_repo_small" => nameof(PamC16),
        "danet_pam_repo_medium" => nameof(PamC64),
        "danet_pam_official_small" => nameof(PamOfficialC16),
        "danet_pam_official_medium" => nameof(PamOfficialC64),
        "danet_cam_repo_small" => nameof(CamC16H5W6),
        "danet_cam_repo_medium" => nameof(CamC64H7W7),
        "danet_cam_official_small" => nameof(CamOfficialC16),
        "danet_cam_official_medium" => nameof(CamOfficialC64),
        "attnconv_k3_small" or "attnconv_k3_soft_small" => nameof(AttnConvK3Small),
        "attnconv_k5_small" => nameof(AttnConvK5Small),
        "attnconv_k3_medium" or "attnconv_k3_soft_medium" => nameof(AttnConvK3Medium),
        "attnconv_k5_medium" => nameof(AttnConvK5Medium),
        _ => throw new ArgumentException($"No test layer for {fixture}.", nameof(fixture)),
    };
}
