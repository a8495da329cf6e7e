using Attend;

namespace Attend.Tests.Family;

// Channel and spatial attention at the fixtures' shapes (see TestData/fixtures and /work/shared/fixtures/README.md).
[SqueezeExcitation(Channels = 32, Reduction = 4)] internal sealed partial class SeC32R4;
[SqueezeExcitation(Channels = 32, Reduction = 16)] internal sealed partial class SeC32R16;
[SqueezeExcitation(Channels = 32, Reduction = 4, Gate = GateActivation.HardSigmoid)] internal sealed partial class SeC32R4Hard;
[SqueezeExcitation(Channels = 256, Reduction = 4)] internal sealed partial class SeC256R4;
[SqueezeExcitation(Channels = 256, Reduction = 16)] internal sealed partial class SeC256R16;
[SqueezeExcitation(Channels = 256, SqueezeChannels = 64, Gate = GateActivation.HardSigmoid)] internal sealed partial class SeC256R4Hard;
[EfficientChannelAttention(Channels = 32)] internal sealed partial class EcaC32;
[EfficientChannelAttention(Channels = 256)] internal sealed partial class EcaC256;
[ConvBlockAttention(Channels = 32, Reduction = 4)] internal sealed partial class CbamC32;
[ConvBlockAttention(Channels = 256, Reduction = 16)] internal sealed partial class CbamC256;

// Shapes no fixture covers, checked against the float64 reference: other poolings, ragged channel counts, kernel sizes.
[SqueezeExcitation(Channels = 21, SqueezeChannels = 5, Pooling = ChannelPooling.Max)] internal sealed partial class SeMaxC21;
[SqueezeExcitation(Channels = 40, Reduction = 8, Pooling = ChannelPooling.Both, Gate = GateActivation.HardSigmoid)] internal sealed partial class SeBothC40;
[EfficientChannelAttention(Channels = 21, KernelSize = 5)] internal sealed partial class EcaC21K5;
[ConvBlockAttention(Channels = 12, HiddenChannels = 3, SpatialKernelSize = 3)] internal sealed partial class CbamC12K3;
[ConvBlockAttention(Channels = 20, Reduction = 4)] internal sealed partial class CbamC20K7;

// Score attention at the fixtures' shapes.
[Attention(Score = AttentionScore.Additive, QuerySize = 5, KeySize = 6, ValueSize = 4, Hidden = 6)] internal sealed partial class AdditiveSmall;
[Attention(Score = AttentionScore.Additive, QuerySize = 64, KeySize = 48, ValueSize = 64, Hidden = 32)] internal sealed partial class AdditiveMedium;
[Attention(Score = AttentionScore.General, QuerySize = 5, KeySize = 6, ValueSize = 4)] internal sealed partial class GeneralSmall;
[Attention(Score = AttentionScore.General, QuerySize = 64, KeySize = 48, ValueSize = 64)] internal sealed partial class GeneralMedium;
[Attention(Score = AttentionScore.Dot, QuerySize = 5, ValueSize = 4)] internal sealed partial class DotSmall;
[Attention(Score = AttentionScore.Dot, QuerySize = 64, ValueSize = 64)] internal sealed partial class DotMedium;
[Attention(Score = AttentionScore.Cosine, QuerySize = 5, ValueSize = 4)] internal sealed partial class CosineSmall;
[Attention(Score = AttentionScore.Cosine, QuerySize = 64, ValueSize = 64)] internal sealed partial class CosineMedium;

// Score functions, selections and local attention no fixture covers, checked against the float64 reference.
[Attention(Score = AttentionScore.ScaledDot, QuerySize = 20, ValueSize = 17)] internal sealed partial class ScaledDotSoft;
[Attention(Score = AttentionScore.Mlp, QuerySize = 6, KeySize = 5, ValueSize = 3, Hidden = 20)] internal sealed partial class MlpSoft;
[Attention(Score = AttentionScore.Dot, QuerySize = 12, ValueSize = 10, Selection = AttentionSelection.Hard)] internal sealed partial class DotHard;
[Attention(Score = AttentionScore.Additive, QuerySize = 7, KeySize = 9, ValueSize = 5, Hidden = 11, Selection = AttentionSelection.Hard)] internal sealed partial class AdditiveHard;
[Attention(Score = AttentionScore.General, QuerySize = 6, KeySize = 10, ValueSize = 9, Selection = AttentionSelection.TopK, TopK = 3)] internal sealed partial class GeneralTopK;
[Attention(Score = AttentionScore.Dot, QuerySize = 8, ValueSize = 6, Selection = AttentionSelection.TopK, TopK = 2)] internal sealed partial class DotTopK;
[Attention(Score = AttentionScore.Dot, QuerySize = 8, ValueSize = 6, Local = LocalAttention.Monotonic, Window = 2)] internal sealed partial class DotLocalMonotonic;
[Attention(Score = AttentionScore.Additive, QuerySize = 5, KeySize = 7, ValueSize = 3, Hidden = 9, Local = LocalAttention.Predictive, Window = 3, PositionHidden = 4)] internal sealed partial class AdditiveLocalPredictive;
[Attention(Score = AttentionScore.Mlp, QuerySize = 6, KeySize = 5, ValueSize = 3, Hidden = 20, Selection = AttentionSelection.TopK, TopK = 3, Local = LocalAttention.Predictive, Window = 4, PositionHidden = 7)] internal sealed partial class MlpTopKLocalPredictive;
[Attention(Score = AttentionScore.ScaledDot, QuerySize = 40, ValueSize = 36, Selection = AttentionSelection.Hard, Local = LocalAttention.Monotonic, Window = 3)] internal sealed partial class ScaledDotHardLocalMonotonic;
