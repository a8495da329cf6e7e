namespace Attend.Generators.Model;

/// <summary>A validated <c>[SimAm]</c> declaration.</summary>
/// <param name="Lambda">λ (<c>e_lambda</c>), positive and finite.</param>
internal sealed record SimAmSpec(LayerIdentity Identity, int Channels, float Lambda);

/// <summary>A validated <c>[ShuffleAttention]</c> declaration: <see cref="Channels"/> is a multiple of 2 × <see cref="Groups"/>.</summary>
internal sealed record ShuffleAttentionSpec(LayerIdentity Identity, int Channels, int Groups)
{
    /// <summary>Channels per half group (C / 2G), the length of every parameter.</summary>
    public int HalfGroupChannels => Channels / (2 * Groups);
}

/// <summary>A validated <c>[CoordinateAttention]</c> declaration.</summary>
/// <param name="MiddleChannels"><c>mip = max(8, Channels / Reduction)</c>.</param>
internal sealed record CoordinateAttentionSpec(LayerIdentity Identity, int Channels, int Reduction, int MiddleChannels);

/// <summary>A validated <c>[PolarizedSelfAttention]</c> declaration: at least 2 channels (C / 2 rounds down, as the module's <c>c // 2</c>).</summary>
internal sealed record PolarizedSelfAttentionSpec(LayerIdentity Identity, int Channels, bool Sequential);

/// <summary>A validated <c>[ExternalAttention]</c> declaration.</summary>
internal sealed record ExternalAttentionSpec(LayerIdentity Identity, int ModelDim, int MemoryUnits);

/// <summary>A validated <c>[SeparableSelfAttention]</c> declaration.</summary>
/// <param name="ValueRelu">ml-cvnets' ReLU after <c>fc_v</c>.</param>
internal sealed record SeparableSelfAttentionSpec(LayerIdentity Identity, int ModelDim, bool ValueRelu);
