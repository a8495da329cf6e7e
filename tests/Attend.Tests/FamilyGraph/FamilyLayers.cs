namespace Attend.Tests.FamilyGraph;

// The layers the family tests run, one declaration per fixture shape. The generator emits each forward pass.

[GraphAttention(InFeatures = 5, OutFeatures = 3, Heads = 2)]
internal sealed partial class GatConcatSmall;

[GraphAttention(InFeatures = 5, OutFeatures = 3, Heads = 2, AddSelfLoops = false)]
internal sealed partial class GatConcatSmallAsListed;

[GraphAttention(InFeatures = 5, OutFeatures = 3, Heads = 2, Combine = GraphHeadCombine.Mean)]
internal sealed partial class GatMeanSmall;

[GraphAttention(InFeatures = 5, OutFeatures = 3, Heads = 2, Combine = GraphHeadCombine.Mean, AddSelfLoops = false)]
internal sealed partial class GatMeanSmallAsListed;

[GraphAttention(InFeatures = 64, OutFeatures = 16, Heads = 4)]
internal sealed partial class GatConcatMedium;

[GraphAttention(InFeatures = 64, OutFeatures = 16, Heads = 4, AddSelfLoops = false)]
internal sealed partial class GatConcatMediumAsListed;

[GraphAttention(InFeatures = 64, OutFeatures = 16, Heads = 4, Combine = GraphHeadCombine.Mean)]
internal sealed partial class GatMeanMedium;

[GraphAttention(InFeatures = 64, OutFeatures = 16, Heads = 4, Combine = GraphHeadCombine.Mean, AddSelfLoops = false)]
internal sealed partial class GatMeanMediumAsListed;

[GraphAttention(InFeatures = 6, OutFeatures = 5, Heads = 3, Scoring = GraphAttentionScoring.GatV2, Bias = true)]
internal sealed partial class GatV2ConcatLoops;

[GraphAttention(InFeatures = 7, OutFeatures = 20, Heads = 2, Scoring = GraphAttentionScoring.GatV2, Combine = GraphHeadCombine.Mean, Bias = true, AddSelfLoops = false)]
internal sealed partial class GatV2MeanNoLoops;

[GraphAttention(InFeatures = 6, OutFeatures = 4, Heads = 2, Bias = true, AddSelfLoops = false)]
internal sealed partial class GatBiasNoLoops;

[MemoryHeads(MemoryRows = 7, MemoryWidth = 5)]
internal sealed partial class NtmSmall;

[MemoryHeads(MemoryRows = 128, MemoryWidth = 20)]
internal sealed partial class NtmMedium;

[MemoryHeads(MemoryRows = 11, MemoryWidth = 37, ShiftRadius = 2)]
internal sealed partial class NtmOddShape;

[NadarayaWatson]
internal sealed partial class NadarayaWatsonNonParametric;

[NadarayaWatson(LearnableWidth = true)]
internal sealed partial class NadarayaWatsonLearnable;

[NadarayaWatson(Dim = 3, ValueDim = 10, Bandwidth = 0.7f)]
internal sealed partial class NadarayaWatsonVectors;

[AttentionPooling(Features = 20, HiddenDim = 12)]
internal sealed partial class AdditivePooling;

[AttentionPooling(Features = 33, Score = PoolingScore.LearnedQuery)]
internal sealed partial class LearnedQueryPooling;

[AttentionPooling(Features = 16, HiddenDim = 10)]
internal sealed partial class WordPooling;

[AttentionPooling(Features = 16, HiddenDim = 10)]
internal sealed partial class SentencePooling;
