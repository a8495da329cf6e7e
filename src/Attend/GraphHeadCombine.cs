namespace Attend;

/// <summary>How a multi-head graph attention layer combines its heads.</summary>
public enum GraphHeadCombine
{
    /// <summary>Heads side by side: output <c>[nodes, Heads·OutFeatures]</c>, head-major (<c>y[i, h·F′ + f]</c>).</summary>
    Concat = 0,

    /// <summary>The average of the heads: output <c>[nodes, OutFeatures]</c> (the paper's final layer).</summary>
    Mean = 1,
}
