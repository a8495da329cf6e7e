using Attend;

namespace Attend.Tests.Family;

// BAM, Triplet and SK at the fixtures' shapes (tests/Attend.Tests/TestData/fixtures, from ../shared/fixtures).
[BottleneckAttention(Channels = 32, Reduction = 8, DilationValue = 1)] internal sealed partial class BamC32R8D1;
[BottleneckAttention(Channels = 128, Reduction = 8, DilationValue = 1)] internal sealed partial class BamC128R8D1;
[BottleneckAttention(Channels = 32, Reduction = 16, DilationValue = 2)] internal sealed partial class BamC32R16D2;
[BottleneckAttention(Channels = 128, Reduction = 16, DilationValue = 2)] internal sealed partial class BamC128R16D2;
[TripletAttention(Channels = 6)] internal sealed partial class TripletC6;
[TripletAttention(Channels = 64)] internal sealed partial class TripletC64;
[TripletAttention(Channels = 6, NoSpatial = true)] internal sealed partial class TripletC6NoSpatial;
[TripletAttention(Channels = 64, NoSpatial = true)] internal sealed partial class TripletC64NoSpatial;
[SelectiveKernelAttention(Channels = 8)] internal sealed partial class SkC8;
[SelectiveKernelAttention(Channels = 32)] internal sealed partial class SkC32;
[SelectiveKernelAttention(Channels = 8, KernelSizes = new[] { 3, 5 }, Groups = 4, Reduction = 8, MinHiddenChannels = 4)] internal sealed partial class SkC8K35G4;
[SelectiveKernelAttention(Channels = 64, KernelSizes = new[] { 3, 5 }, Groups = 4, Reduction = 8, MinHiddenChannels = 4)] internal sealed partial class SkC64K35G4;

// Options and shapes the shared fixtures do not cover (scripts/make_external_attention_cases.py, *_extra fixtures).
[BottleneckAttention(Channels = 24, Reduction = 4, DilationValue = 3, Layers = 1)] internal sealed partial class BamC24R4D3L1;
[BottleneckAttention(Channels = 16, Reduction = 8, DilationValue = 1, Layers = 2)] internal sealed partial class BamC16R8D1L2;
[TripletAttention(Channels = 20)] internal sealed partial class TripletC20;
[SelectiveKernelAttention(Channels = 12, KernelSizes = new[] { 7 }, Groups = 3, Reduction = 4, MinHiddenChannels = 2)] internal sealed partial class SkC12K7G3;
[SelectiveKernelAttention(Channels = 16, KernelSizes = new[] { 1, 3, 5 }, Groups = 2, Reduction = 2, MinHiddenChannels = 4)] internal sealed partial class SkC16K135G2;

/// <summary>Builds the External-Attention test layers by name, loaded and set to one path, behind the channel layers' delegate.</summary>
internal static class ExternalAttentionLayers
{
    public static FeatureMapForward Create(string layer, IWeightSource weights, KernelPath path, int threads = 1)
    {
        switch (layer)
        {
            case nameof(BamC32R8D1): { var l = new BamC32R8D1 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, _, _) => l.Forward(x, y, b, h, w); }
            case nameof(BamC128R8D1): { var l = new BamC128R8D1 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, _, _) => l.Forward(x, y, b, h, w); }
            case nameof(BamC32R16D2): { var l = new BamC32R16D2 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, _, _) => l.Forward(x, y, b, h, w); }
            case nameof(BamC128R16D2): { var l = new BamC128R16D2 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, _, _) => l.Forward(x, y, b, h, w); }
            case nameof(TripletC6): { var l = new TripletC6 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, _, _) => l.Forward(x, y, b, h, w); }
            case nameof(TripletC64): { var l = new TripletC64 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, _, _) => l.Forward(x, y, b, h, w); }
            case nameof(TripletC6NoSpatial): { var l = new TripletC6NoSpatial { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, _, _) => l.Forward(x, y, b, h, w); }
            case nameof(TripletC64NoSpatial): { var l = new TripletC64NoSpatial { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, _, _) => l.Forward(x, y, b, h, w); }
            case nameof(SkC8): { var l = new SkC8 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, _, _) => l.Forward(x, y, b, h, w); }
            case nameof(SkC32): { var l = new SkC32 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, _, _) => l.Forward(x, y, b, h, w); }
            case nameof(SkC8K35G4): { var l = new SkC8K35G4 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, _, _) => l.Forward(x, y, b, h, w); }
            case nameof(SkC64K35G4): { var l = new SkC64K35G4 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, _, _) => l.Forward(x, y, b, h, w); }
            case nameof(BamC24R4D3L1): { var l = new BamC24R4D3L1 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, _, _) => l.Forward(x, y, b, h, w); }
            case nameof(BamC16R8D1L2): { var l = new BamC16R8D1L2 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, _, _) => l.Forward(x, y, b, h, w); }
            case nameof(TripletC20): { var l = new TripletC20 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, _, _) => l.Forward(x, y, b, h, w); }
            case nameof(SkC12K7G3): { var l = new SkC12K7G3 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, _, _) => l.Forward(x, y, b, h, w); }
            case nameof(SkC16K135G2): { var l = new SkC16K135G2 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, _, _) => l.Forward(x, y, b, h, w); }
            default: throw new System.ArgumentOutOfRangeException(nameof(layer), layer, "no such test layer");
        }
    }
}
