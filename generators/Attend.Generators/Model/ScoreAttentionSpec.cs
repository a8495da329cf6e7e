namespace Attend.Generators.Model;

/// <summary>A validated <c>[Attention]</c> declaration; every size resolved (no zeros meaning "default").</summary>
/// <param name="Selection">0 soft, 1 hard, 2 top-k (<c>Attend.AttentionSelection</c>).</param>
/// <param name="Local">0 none, 1 local-m, 2 local-p (<c>Attend.LocalAttention</c>).</param>
/// <param name="Hidden">Hidden width of additive/MLP scores; 0 for the others.</param>
/// <param name="PositionHidden">Hidden width of local-p's predictor; 0 unless local-p.</param>
internal sealed record ScoreAttentionSpec(
    LayerIdentity Identity,
    AttentionScore Score,
    int QuerySize,
    int KeySize,
    int ValueSize,
    int Hidden,
    int Selection,
    int TopK,
    int Local,
    int Window,
    int PositionHidden)
{
    /// <summary>Additive and MLP scores pass each query–key pair through a hidden layer instead of a dot product.</summary>
    public bool IsAdditive => Score is AttentionScore.Additive or AttentionScore.Mlp;
}
