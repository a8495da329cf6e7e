namespace Attend;

/// <summary>How Polarized Self-Attention combines its channel-only and spatial-only branches.</summary>
public enum PolarizedLayout
{
    /// <summary>Both branches read the input and their outputs add: <c>ParallelPolarizedSelfAttention</c>.</summary>
    Parallel = 0,

    /// <summary>The spatial branch reads the channel branch's output: <c>SequentialPolarizedSelfAttention</c>.</summary>
    Sequential = 1,
}
