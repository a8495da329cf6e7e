using System;
using System.Diagnostics.CodeAnalysis;
using Attend;

namespace Attend.Benchmarks.ExternalAttention;

// The layers of peers/external_attention_torch.py's cases: same modules, same sizes (64 channels; maps 56×56 and the
// token modules over those 3136 pixels; attention-as-convolution K = 3 at 28×28).
[SimAm(Channels = 64)] internal sealed partial class PeerSimAm;
[ShuffleAttention(Channels = 64, Groups = 8)] internal sealed partial class PeerShuffleAttention;
[CoordinateAttention(Channels = 64, Reduction = 32)] internal sealed partial class PeerCoordinateAttention;
[PolarizedSelfAttention(Channels = 64)] internal sealed partial class PeerParallelPsa;
[PolarizedSelfAttention(Channels = 64, Layout = PolarizedLayout.Sequential)] internal sealed partial class PeerSequentialPsa;
[ExternalAttention(ModelDim = 64, MemoryUnits = 64)] internal sealed partial class PeerExternalAttention;
[SeparableSelfAttention(ModelDim = 64)] internal sealed partial class PeerSeparableSelfAttention;
[BottleneckAttention(Channels = 64, Reduction = 16, DilationValue = 2)] internal sealed partial class PeerBottleneckAttention;
[TripletAttention(Channels = 64)] internal sealed partial class PeerTripletAttention;
[SelectiveKernelAttention(Channels = 64, KernelSizes = [1, 3, 5, 7], Reduction = 16, MinHiddenChannels = 32)] internal sealed partial class PeerSelectiveKernelAttention;
[DanetPositionAttention(Channels = 64)] internal sealed partial class PeerDanetPosition;
[DanetChannelAttention(Channels = 64, Height = 56, Width = 56)] internal sealed partial class PeerDanetChannel;
[DanetPositionAttention(Channels = 64, Variant = DanetVariant.Official)] internal sealed partial class PeerPamOfficial;
[DanetChannelAttention(Channels = 64, Variant = DanetVariant.Official)] internal sealed partial class PeerCamOfficial;
[ConvolutionalSelfAttention(InChannels = 64, OutChannels = 64, KernelSize = 3)] internal sealed partial class PeerConvolutionalSelfAttention;

/// <summary>The Attend layer for each case name of <c>external_attention_torch.py</c>, one thread.</summary>
internal static class ModuleCases
{
    public static bool TryCreate(string name, [NotNullWhen(true)] out IModuleCase? module)
    {
        module = name switch
        {
            "simam" => Image(new PeerSimAm { MaxDegreeOfParallelism = 1 }, static (_, _) => { }, static (l, p) => l.Path = p, static (l, x, y, s) => l.Forward(x, y, s[0], s[2], s[3])),
            "shuffle_g8" => Image(new PeerShuffleAttention { MaxDegreeOfParallelism = 1 }, static (l, w) => l.LoadWeights(w), static (l, p) => l.Path = p, static (l, x, y, s) => l.Forward(x, y, s[0], s[2], s[3])),
            "coordatt_r32" => Image(new PeerCoordinateAttention { MaxDegreeOfParallelism = 1 }, static (l, w) => l.LoadWeights(w), static (l, p) => l.Path = p, static (l, x, y, s) => l.Forward(x, y, s[0], s[2], s[3])),
            "psa_parallel" => Image(new PeerParallelPsa { MaxDegreeOfParallelism = 1 }, static (l, w) => l.LoadWeights(w), static (l, p) => l.Path = p, static (l, x, y, s) => l.Forward(x, y, s[0], s[2], s[3])),
            "psa_sequential" => Image(new PeerSequentialPsa { MaxDegreeOfParallelism = 1 }, static (l, w) => l.LoadWeights(w), static (l, p) => l.Path = p, static (l, x, y, s) => l.Forward(x, y, s[0], s[2], s[3])),
            "external_attention_s64" => Image(new PeerExternalAttention { MaxDegreeOfParallelism = 1 }, static (l, w) => l.LoadWeights(w), static (l, p) => l.Path = p, static (l, x, y, s) => l.Forward(x, y, s[0], s[1])),
            "mobilevitv2" => Image(new PeerSeparableSelfAttention { MaxDegreeOfParallelism = 1 }, static (l, w) => l.LoadWeights(w), static (l, p) => l.Path = p, static (l, x, y, s) => l.Forward(x, y, s[0], s[1])),
            "bam_r16_d2" => Image(new PeerBottleneckAttention { MaxDegreeOfParallelism = 1 }, static (l, w) => l.LoadWeights(w), static (l, p) => l.Path = p, static (l, x, y, s) => l.Forward(x, y, s[0], s[2], s[3])),
            "triplet" => Image(new PeerTripletAttention { MaxDegreeOfParallelism = 1 }, static (l, w) => l.LoadWeights(w), static (l, p) => l.Path = p, static (l, x, y, s) => l.Forward(x, y, s[0], s[2], s[3])),
            "sk_k1357" => Image(new PeerSelectiveKernelAttention { MaxDegreeOfParallelism = 1 }, static (l, w) => l.LoadWeights(w), static (l, p) => l.Path = p, static (l, x, y, s) => l.Forward(x, y, s[0], s[2], s[3])),
            "danet_pam_repo" => Image(new PeerDanetPosition { MaxDegreeOfParallelism = 1 }, static (l, w) => l.LoadWeights(w), static (l, p) => l.Path = p, static (l, x, y, s) => l.Forward(x, y, s[0], s[2], s[3])),
            "danet_cam_repo" => Image(new PeerDanetChannel { MaxDegreeOfParallelism = 1 }, static (l, w) => l.LoadWeights(w), static (l, p) => l.Path = p, static (l, x, y, s) => l.Forward(x, y, s[0], s[2], s[3])),
            "danet_pam_official" => Image(new PeerPamOfficial { MaxDegreeOfParallelism = 1 }, static (l, w) => l.LoadWeights(w), static (l, p) => l.Path = p, static (l, x, y, s) => l.Forward(x, y, s[0], s[2], s[3])),
            "danet_cam_official" => Image(new PeerCamOfficial { MaxDegreeOfParallelism = 1 }, static (l, w) => l.LoadWeights(w), static (l, p) => l.Path = p, static (l, x, y, s) => l.Forward(x, y, s[0], s[2], s[3])),
            "attnconv_k3" => Image(new PeerConvolutionalSelfAttention { MaxDegreeOfParallelism = 1 }, static (l, w) => l.LoadWeights(w, "attn."), static (l, p) => l.Path = p, static (l, x, y, s) => l.Forward(x, y, s[0], s[2], s[3])),
            _ => null,
        };
        return module is not null;
    }

    private static LayerCase<TLayer> Image<TLayer>(TLayer layer, Action<TLayer, IWeightSource> load, Action<TLayer, KernelPath> setPath, Forward<TLayer> forward) =>
        new(layer, load, setPath, forward);

    internal delegate void Forward<TLayer>(TLayer layer, float[] input, float[] output, int[] shape);

    private sealed class LayerCase<TLayer>(TLayer layer, Action<TLayer, IWeightSource> load, Action<TLayer, KernelPath> setPath, Forward<TLayer> forward) : IModuleCase
    {
        private int[] _shape = [];

        public KernelPath Path { set => setPath(layer, value); }

        public void Load(IWeightSource weights, long[] inputShape)
        {
            load(layer, weights);
            _shape = Array.ConvertAll(inputShape, d => checked((int)d));
        }

        public void Run(float[] input, float[] output) => forward(layer, input, output, _shape);
    }
}
