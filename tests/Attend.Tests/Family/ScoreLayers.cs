using System;
using Attend;

namespace Attend.Tests.Family;

/// <summary>One forward call of any declared <c>[Attention]</c> test layer (<c>positions</c> is read only by local-m layers).</summary>
internal delegate void ScoreForward(ReadOnlySpan<float> queries, ReadOnlySpan<float> keys, ReadOnlySpan<float> values, Span<float> output,
    int batch, int queryLength, int keyLength, ReadOnlySpan<int> validLengths, ReadOnlySpan<bool> keyPaddingMask, ReadOnlySpan<int> positions,
    Span<float> attentionWeights, Span<float> scores);

/// <summary>The declared score-attention test layers by name: their options (as the reference reads them) and a loaded instance.</summary>
internal static class ScoreLayers
{
    public static ScoreSetup Setup(string layer) => layer switch
    {
        nameof(AdditiveSmall) => new() { Score = AttentionScore.Additive, QuerySize = 5, KeySize = 6, ValueSize = 4, Hidden = 6 },
        nameof(AdditiveMedium) => new() { Score = AttentionScore.Additive, QuerySize = 64, KeySize = 48, ValueSize = 64, Hidden = 32 },
        nameof(GeneralSmall) => new() { Score = AttentionScore.General, QuerySize = 5, KeySize = 6, ValueSize = 4 },
        nameof(GeneralMedium) => new() { Score = AttentionScore.General, QuerySize = 64, KeySize = 48, ValueSize = 64 },
        nameof(DotSmall) => new() { Score = AttentionScore.Dot, QuerySize = 5, KeySize = 5, ValueSize = 4 },
        nameof(DotMedium) => new() { Score = AttentionScore.Dot, QuerySize = 64, KeySize = 64, ValueSize = 64 },
        nameof(CosineSmall) => new() { Score = AttentionScore.Cosine, QuerySize = 5, KeySize = 5, ValueSize = 4 },
        nameof(CosineMedium) => new() { Score = AttentionScore.Cosine, QuerySize = 64, KeySize = 64, ValueSize = 64 },
        nameof(ScaledDotSoft) => new() { Score = AttentionScore.ScaledDot, QuerySize = 20, KeySize = 20, ValueSize = 17 },
        nameof(MlpSoft) => new() { Score = AttentionScore.Mlp, QuerySize = 6, KeySize = 5, ValueSize = 3, Hidden = 20 },
        nameof(DotHard) => new() { Score = AttentionScore.Dot, QuerySize = 12, KeySize = 12, ValueSize = 10, Selection = AttentionSelection.Hard },
        nameof(AdditiveHard) => new() { Score = AttentionScore.Additive, QuerySize = 7, KeySize = 9, ValueSize = 5, Hidden = 11, Selection = AttentionSelection.Hard },
        nameof(GeneralTopK) => new() { Score = AttentionScore.General, QuerySize = 6, KeySize = 10, ValueSize = 9, Selection = AttentionSelection.TopK, TopK = 3 },
        nameof(DotTopK) => new() { Score = AttentionScore.Dot, QuerySize = 8, KeySize = 8, ValueSize = 6, Selection = AttentionSelection.TopK, TopK = 2 },
        nameof(DotLocalMonotonic) => new() { Score = AttentionScore.Dot, QuerySize = 8, KeySize = 8, ValueSize = 6, Local = LocalAttention.Monotonic, Window = 2 },
        nameof(AdditiveLocalPredictive) => new() { Score = AttentionScore.Additive, QuerySize = 5, KeySize = 7, ValueSize = 3, Hidden = 9, Local = LocalAttention.Predictive, Window = 3, PositionHidden = 4 },
        nameof(MlpTopKLocalPredictive) => new() { Score = AttentionScore.Mlp, QuerySize = 6, KeySize = 5, ValueSize = 3, Hidden = 20, Selection = AttentionSelection.TopK, TopK = 3, Local = LocalAttention.Predictive, Window = 4, PositionHidden = 7 },
        nameof(ScaledDotHardLocalMonotonic) => new() { Score = AttentionScore.ScaledDot, QuerySize = 40, KeySize = 40, ValueSize = 36, Selection = AttentionSelection.Hard, Local = LocalAttention.Monotonic, Window = 3 },
        _ => throw new ArgumentOutOfRangeException(nameof(layer), layer, "no such test layer"),
    };

    public static ScoreForward Create(string layer, IWeightSource? weights, KernelPath path, int threads = 1)
    {
        switch (layer)
        {
            case nameof(AdditiveSmall): { var l = new AdditiveSmall { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights!); return (q, k, v, y, b, lq, lk, vl, pad, _, w, s) => l.Forward(q, k, v, y, b, lq, lk, vl, pad, w, s); }
            case nameof(AdditiveMedium): { var l = new AdditiveMedium { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights!); return (q, k, v, y, b, lq, lk, vl, pad, _, w, s) => l.Forward(q, k, v, y, b, lq, lk, vl, pad, w, s); }
            case nameof(GeneralSmall): { var l = new GeneralSmall { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights!); return (q, k, v, y, b, lq, lk, vl, pad, _, w, s) => l.Forward(q, k, v, y, b, lq, lk, vl, pad, w, s); }
            case nameof(GeneralMedium): { var l = new GeneralMedium { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights!); return (q, k, v, y, b, lq, lk, vl, pad, _, w, s) => l.Forward(q, k, v, y, b, lq, lk, vl, pad, w, s); }
            case nameof(DotSmall): { var l = new DotSmall { Path = path, MaxDegreeOfParallelism = threads }; return (q, k, v, y, b, lq, lk, vl, pad, _, w, s) => l.Forward(q, k, v, y, b, lq, lk, vl, pad, w, s); }
            case nameof(DotMedium): { var l = new DotMedium { Path = path, MaxDegreeOfParallelism = threads }; return (q, k, v, y, b, lq, lk, vl, pad, _, w, s) => l.Forward(q, k, v, y, b, lq, lk, vl, pad, w, s); }
            case nameof(CosineSmall): { var l = new CosineSmall { Path = path, MaxDegreeOfParallelism = threads }; return (q, k, v, y, b, lq, lk, vl, pad, _, w, s) => l.Forward(q, k, v, y, b, lq, lk, vl, pad, w, s); }
            case nameof(CosineMedium): { var l = new CosineMedium { Path = path, MaxDegreeOfParallelism = threads }; return (q, k, v, y, b, lq, lk, vl, pad, _, w, s) => l.Forward(q, k, v, y, b, lq, lk, vl, pad, w, s); }
            case nameof(ScaledDotSoft): { var l = new ScaledDotSoft { Path = path, MaxDegreeOfParallelism = threads }; return (q, k, v, y, b, lq, lk, vl, pad, _, w, s) => l.Forward(q, k, v, y, b, lq, lk, vl, pad, w, s); }
            case nameof(MlpSoft): { var l = new MlpSoft { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights!); return (q, k, v, y, b, lq, lk, vl, pad, _, w, s) => l.Forward(q, k, v, y, b, lq, lk, vl, pad, w, s); }
            case nameof(DotHard): { var l = new DotHard { Path = path, MaxDegreeOfParallelism = threads }; return (q, k, v, y, b, lq, lk, vl, pad, _, w, s) => l.Forward(q, k, v, y, b, lq, lk, vl, pad, w, s); }
            case nameof(AdditiveHard): { var l = new AdditiveHard { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights!); return (q, k, v, y, b, lq, lk, vl, pad, _, w, s) => l.Forward(q, k, v, y, b, lq, lk, vl, pad, w, s); }
            case nameof(GeneralTopK): { var l = new GeneralTopK { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights!); return (q, k, v, y, b, lq, lk, vl, pad, _, w, s) => l.Forward(q, k, v, y, b, lq, lk, vl, pad, w, s); }
            case nameof(DotTopK): { var l = new DotTopK { Path = path, MaxDegreeOfParallelism = threads }; return (q, k, v, y, b, lq, lk, vl, pad, _, w, s) => l.Forward(q, k, v, y, b, lq, lk, vl, pad, w, s); }
            case nameof(DotLocalMonotonic): { var l = new DotLocalMonotonic { Path = path, MaxDegreeOfParallelism = threads }; return (q, k, v, y, b, lq, lk, vl, pad, p, w, s) => l.Forward(q, k, v, y, b, lq, lk, vl, pad, p, w, s); }
            case nameof(AdditiveLocalPredictive): { var l = new AdditiveLocalPredictive { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights!); return (q, k, v, y, b, lq, lk, vl, pad, _, w, s) => l.Forward(q, k, v, y, b, lq, lk, vl, pad, w, s); }
            case nameof(MlpTopKLocalPredictive): { var l = new MlpTopKLocalPredictive { Path = path, MaxDegreeOfParallelism = threads }; l.LoadWeights(weights!); return (q, k, v, y, b, lq, lk, vl, pad, _, w, s) => l.Forward(q, k, v, y, b, lq, lk, vl, pad, w, s); }
            case nameof(ScaledDotHardLocalMonotonic): { var l = new ScaledDotHardLocalMonotonic { Path = path, MaxDegreeOfParallelism = threads }; return (q, k, v, y, b, lq, lk, vl, pad, p, w, s) => l.Forward(q, k, v, y, b, lq, lk, vl, pad, p, w, s); }
            default: throw new ArgumentOutOfRangeException(nameof(layer), layer, "no such test layer");
        }
    }
}
