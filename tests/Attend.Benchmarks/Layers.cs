using Attend;

namespace Attend.Benchmarks;

/// <summary>E = 512, 8 heads of 64, no mask: the 128/512/2048 rows.</summary>
[MultiHeadAttention(ModelDim = 512, Heads = 8)]
public sealed partial class SelfAttention512;

/// <summary>E = 512, 8 heads of 64, causal.</summary>
[MultiHeadAttention(ModelDim = 512, Heads = 8, Mask = AttentionMask.Causal)]
public sealed partial class CausalSelfAttention512;

/// <summary>E = 256, 4 heads of 64, no mask: the 4096 row.</summary>
[MultiHeadAttention(ModelDim = 256, Heads = 4)]
public sealed partial class SelfAttention256;

/// <summary>E = 256, 4 heads of 64, causal.</summary>
[MultiHeadAttention(ModelDim = 256, Heads = 4, Mask = AttentionMask.Causal)]
public sealed partial class CausalSelfAttention256;

/// <summary>The attention of the decode step: 8 heads of 64 over a KV cache (past key/value).</summary>
[ScaledDotProductAttention(Heads = 8, DimHead = 64)]
public sealed partial class DecodeAttention512;

/// <summary>The attention core alone of the E = 256, H = 4 rows (for the table's breakdown).</summary>
[ScaledDotProductAttention(Heads = 4, DimHead = 64)]
public sealed partial class CoreAttention4x64;

/// <summary>The decoding stack of <see cref="StackDecodeCommand"/>: four pre-norm causal layers of E 512.</summary>
[TransformerEncoder(ModelDim = 512, Heads = 8, MlpDim = 2048, Depth = 4, Mask = AttentionMask.Causal, Norm = NormPlacement.Pre)]
public sealed partial class DecoderStack512;

/// <summary>MiniLM's attention core (12 heads of 32) alone, for the <c>minilm-stages</c> breakdown.</summary>
[ScaledDotProductAttention(Heads = 12, DimHead = 32)]
public sealed partial class MiniLmCoreAttention;
