using System;
using System.Collections.Generic;
using Attend;

namespace Attend.Tests.FamilyPointwise;

/// <summary>
/// One forward call of any External-Attention test layer: the run-time sizes (height and width, or tokens and 0), and
/// the optional per-call outputs by the fixture's name (<c>channel_weight</c>, <c>attn</c>, …), each sized by the caller.
/// </summary>
internal delegate void PointwiseForward(ReadOnlySpan<float> input, Span<float> output, int batch, int size0, int size1, IDictionary<string, float[]> extras);

/// <summary>Builds the declared test layers by name, loaded and set to one path and thread count, behind one delegate shape.</summary>
internal static class PointwiseRunner
{
    /// <summary>The per-call outputs each layer kind can fill, by fixture tensor name.</summary>
    public static string[] ExtrasOf(string layer) => layer switch
    {
        _ when layer.StartsWith("Psa", StringComparison.Ordinal) => new[] { "channel_weight", "spatial_weight" },
        _ when layer.StartsWith("External", StringComparison.Ordinal) => new[] { "attn" },
        _ when layer.StartsWith("Separable", StringComparison.Ordinal) => new[] { "context_scores", "context_vector" },
        _ => Array.Empty<string>(),
    };

    public static PointwiseForward Create(string layer, IWeightSource? weights, KernelPath path, int threads = 1)
    {
        switch (layer)
        {
            case nameof(SimAmC8): { var l = new SimAmC8 { Path = path, MaxDegreeOfParallelism = threads }; return (x, y, b, h, w, _) => l.Forward(x, y, b, h, w); }
            case nameof(SimAmC64): { var l = new SimAmC64 { Path = path, MaxDegreeOfParallelism = threads }; return (x, y, b, h, w, _) => l.Forward(x, y, b, h, w); }
            case nameof(SimAmC8Lambda0p1): { var l = new SimAmC8Lambda0p1 { Path = path, MaxDegreeOfParallelism = threads }; return (x, y, b, h, w, _) => l.Forward(x, y, b, h, w); }
            case nameof(SimAmC64Lambda0p1): { var l = new SimAmC64Lambda0p1 { Path = path, MaxDegreeOfParallelism = threads }; return (x, y, b, h, w, _) => l.Forward(x, y, b, h, w); }
            case nameof(ShuffleC32G4): { var l = new ShuffleC32G4 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights!); return (x, y, b, h, w, _) => l.Forward(x, y, b, h, w); }
            case nameof(ShuffleC128G4): { var l = new ShuffleC128G4 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights!); return (x, y, b, h, w, _) => l.Forward(x, y, b, h, w); }
            case nameof(ShuffleC32G8): { var l = new ShuffleC32G8 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights!); return (x, y, b, h, w, _) => l.Forward(x, y, b, h, w); }
            case nameof(ShuffleC128G8): { var l = new ShuffleC128G8 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights!); return (x, y, b, h, w, _) => l.Forward(x, y, b, h, w); }
            case nameof(CoordC40R4): { var l = new CoordC40R4 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights!); return (x, y, b, h, w, _) => l.Forward(x, y, b, h, w); }
            case nameof(CoordC128R4): { var l = new CoordC128R4 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights!); return (x, y, b, h, w, _) => l.Forward(x, y, b, h, w); }
            case nameof(CoordC40R32): { var l = new CoordC40R32 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights!); return (x, y, b, h, w, _) => l.Forward(x, y, b, h, w); }
            case nameof(CoordC128R32): { var l = new CoordC128R32 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights!); return (x, y, b, h, w, _) => l.Forward(x, y, b, h, w); }
            case nameof(PsaC16Parallel): { var l = new PsaC16Parallel { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights!); return (x, y, b, h, w, e) => l.Forward(x, y, b, h, w, Get(e, "channel_weight"), Get(e, "spatial_weight")); }
            case nameof(PsaC128Parallel): { var l = new PsaC128Parallel { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights!); return (x, y, b, h, w, e) => l.Forward(x, y, b, h, w, Get(e, "channel_weight"), Get(e, "spatial_weight")); }
            case nameof(PsaC16Sequential): { var l = new PsaC16Sequential { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights!); return (x, y, b, h, w, e) => l.Forward(x, y, b, h, w, Get(e, "channel_weight"), Get(e, "spatial_weight")); }
            case nameof(PsaC128Sequential): { var l = new PsaC128Sequential { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights!); return (x, y, b, h, w, e) => l.Forward(x, y, b, h, w, Get(e, "channel_weight"), Get(e, "spatial_weight")); }
            case nameof(PsaC15Parallel): { var l = new PsaC15Parallel { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights!); return (x, y, b, h, w, e) => l.Forward(x, y, b, h, w, Get(e, "channel_weight"), Get(e, "spatial_weight")); }
            case nameof(PsaC15Sequential): { var l = new PsaC15Sequential { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights!); return (x, y, b, h, w, e) => l.Forward(x, y, b, h, w, Get(e, "channel_weight"), Get(e, "spatial_weight")); }
            case nameof(ExternalD15S8): { var l = new ExternalD15S8 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights!); return (x, y, b, n, _, e) => l.Forward(x, y, b, n, Get(e, "attn")); }
            case nameof(ExternalD128S8): { var l = new ExternalD128S8 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights!); return (x, y, b, n, _, e) => l.Forward(x, y, b, n, Get(e, "attn")); }
            case nameof(ExternalD15S64): { var l = new ExternalD15S64 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights!); return (x, y, b, n, _, e) => l.Forward(x, y, b, n, Get(e, "attn")); }
            case nameof(ExternalD128S64): { var l = new ExternalD128S64 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights!); return (x, y, b, n, _, e) => l.Forward(x, y, b, n, Get(e, "attn")); }
            case nameof(SeparableD15): { var l = new SeparableD15 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights!); return (x, y, b, n, _, e) => l.Forward(x, y, b, n, Get(e, "context_scores"), Get(e, "context_vector")); }
            case nameof(SeparableD128): { var l = new SeparableD128 { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights!); return (x, y, b, n, _, e) => l.Forward(x, y, b, n, Get(e, "context_scores"), Get(e, "context_vector")); }
            case nameof(SeparableD15Relu): { var l = new SeparableD15Relu { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights!); return (x, y, b, n, _, e) => l.Forward(x, y, b, n, Get(e, "context_scores"), Get(e, "context_vector")); }
            case nameof(SeparableD128Relu): { var l = new SeparableD128Relu { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights!); return (x, y, b, n, _, e) => l.Forward(x, y, b, n, Get(e, "context_scores"), Get(e, "context_vector")); }
            default: throw new ArgumentOutOfRangeException(nameof(layer), layer, "no such test layer");
        }
    }

    private static Span<float> Get(IDictionary<string, float[]> extras, string name) => extras.TryGetValue(name, out float[]? buffer) ? buffer : default;
}
