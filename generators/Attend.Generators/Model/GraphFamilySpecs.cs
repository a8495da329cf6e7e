namespace Attend.Generators.Model;

/// <summary>A validated <c>[GraphAttention]</c> declaration; enums kept as their names so the spec stays plain values.</summary>
/// <param name="MeanOverHeads">True for <c>Combine = Mean</c>, false for concatenation.</param>
/// <param name="ScoresPairs">True for GATv2's scoring, false for GAT's.</param>
internal sealed record GraphAttentionSpec(
    LayerIdentity Identity,
    int InFeatures,
    int OutFeatures,
    int Heads,
    bool MeanOverHeads,
    float NegativeSlope,
    bool AddSelfLoops,
    bool ScoresPairs,
    bool Bias);

/// <summary>A validated <c>[MemoryHeads]</c> declaration.</summary>
internal sealed record MemoryHeadsSpec(
    LayerIdentity Identity,
    int MemoryRows,
    int MemoryWidth,
    int ShiftRadius,
    float Epsilon);

/// <summary>A validated <c>[NadarayaWatson]</c> declaration; <paramref name="Bandwidth"/> is resolved (1 when left at 0).</summary>
internal sealed record NadarayaWatsonSpec(
    LayerIdentity Identity,
    int Dim,
    int ValueDim,
    bool LearnableWidth,
    float Bandwidth);

/// <summary>A validated <c>[AttentionPooling]</c> declaration.</summary>
/// <param name="LearnedQuery">True for <c>score = qᵀh</c>; false for the additive score (then <paramref name="HiddenDim"/> is positive).</param>
internal sealed record AttentionPoolingSpec(
    LayerIdentity Identity,
    int Features,
    int HiddenDim,
    bool LearnedQuery,
    bool Bias);
