using System;
using Attend;

namespace Attend.Tests.Family;

/// <summary>One forward call of any channel/spatial attention layer: <c>spatialScale</c> is ignored by SE and ECA.</summary>
internal delegate void FeatureMapForward(ReadOnlySpan<float> input, Span<float> output, int batch, int height, int width, Span<float> channelScale, Span<float> spatialScale);

/// <summary>Builds the declared test layers by name, loaded and set to one path, behind one delegate shape.</summary>
internal static class ChannelLayers
{
    public static FeatureMapForward Create(string layer, IWeightSource weights, KernelPath path, int threads = 1)
    {
        switch (layer)
        {
            case nameof(SeC32R4): { var l = new SeC32R4 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, cs, _) => l.Forward(x, y, b, h, w, cs); }
            case nameof(SeC32R16): { var l = new SeC32R16 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, cs, _) => l.Forward(x, y, b, h, w, cs); }
            case nameof(SeC32R4Hard): { var l = new SeC32R4Hard { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, cs, _) => l.Forward(x, y, b, h, w, cs); }
            case nameof(SeC256R4): { var l = new SeC256R4 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, cs, _) => l.Forward(x, y, b, h, w, cs); }
            case nameof(SeC256R16): { var l = new SeC256R16 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, cs, _) => l.Forward(x, y, b, h, w, cs); }
            case nameof(SeC256R4Hard): { var l = new SeC256R4Hard { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, cs, _) => l.Forward(x, y, b, h, w, cs); }
            case nameof(SeMaxC21): { var l = new SeMaxC21 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, cs, _) => l.Forward(x, y, b, h, w, cs); }
            case nameof(SeBothC40): { var l = new SeBothC40 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, cs, _) => l.Forward(x, y, b, h, w, cs); }
            case nameof(EcaC32): { var l = new EcaC32 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, cs, _) => l.Forward(x, y, b, h, w, cs); }
            case nameof(EcaC256): { var l = new EcaC256 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, cs, _) => l.Forward(x, y, b, h, w, cs); }
            case nameof(EcaC21K5): { var l = new EcaC21K5 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, cs, _) => l.Forward(x, y, b, h, w, cs); }
            case nameof(CbamC32): { var l = new CbamC32 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, cs, ss) => l.Forward(x, y, b, h, w, cs, ss); }
            case nameof(CbamC256): { var l = new CbamC256 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, cs, ss) => l.Forward(x, y, b, h, w, cs, ss); }
            case nameof(CbamC12K3): { var l = new CbamC12K3 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, cs, ss) => l.Forward(x, y, b, h, w, cs, ss); }
            case nameof(CbamC20K7): { var l = new CbamC20K7 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights); return (x, y, b, h, w, cs, ss) => l.Forward(x, y, b, h, w, cs, ss); }
            default: throw new ArgumentOutOfRangeException(nameof(layer), layer, "no such test layer");
        }
    }
}
