using System;

namespace Attend;

/// <summary>
/// The run-time inputs and outputs of one <see cref="ScaledDotProductAttentionAttribute"/> layer call, able to
/// express every case of the ONNX <c>Attention</c> operator (opsets 23 and 24). The head counts and widths are the
/// layer's compile-time constants; everything here may change from call to call.
/// </summary>
/// <remarks>
/// <para>
/// Shapes, with <c>Hq</c>/<c>Hkv</c> the layer's query/key-value heads, <c>D</c>/<c>Dv</c> its head widths,
/// <c>S</c> = <see cref="KeyLength"/> new keys, <c>P</c> = <see cref="PastLength"/> and <c>T = P + S</c>:
/// </para>
/// <list type="table">
/// <listheader><term>tensor</term><description><see cref="AttentionLayout.BatchHeadSequence"/> / <see cref="AttentionLayout.BatchSequenceHidden"/></description></listheader>
/// <item><term><see cref="Query"/></term><description><c>[B, Hq, Sq, D]</c> / <c>[B, Sq, Hq·D]</c></description></item>
/// <item><term><see cref="Key"/></term><description><c>[B, Hkv, S, D]</c> / <c>[B, S, Hkv·D]</c></description></item>
/// <item><term><see cref="Value"/></term><description><c>[B, Hkv, S, Dv]</c> / <c>[B, S, Hkv·Dv]</c></description></item>
/// <item><term><see cref="Output"/></term><description><c>[B, Hq, Sq, Dv]</c> / <c>[B, Sq, Hq·Dv]</c></description></item>
/// <item><term><see cref="PastKey"/>, <see cref="PresentKey"/></term><description><c>[B, Hkv, P, D]</c>, <c>[B, Hkv, T, D]</c>, always 4-D (as ONNX)</description></item>
/// <item><term><see cref="PastValue"/>, <see cref="PresentValue"/></term><description><c>[B, Hkv, P, Dv]</c>, <c>[B, Hkv, T, Dv]</c>, always 4-D</description></item>
/// <item><term><see cref="QkMatMulOutput"/></term><description><c>[B, Hq, Sq, T]</c></description></item>
/// </list>
/// <para>
/// Semantics follow ONNX: scores are <c>Scale · Q·Kᵀ</c>, then the softcap, then the bias (explicit mask, causal
/// mask, <see cref="NonPadKeyLengths"/>), then a softmax over the keys and the product with the values. A query
/// row whose keys are all masked gives zeros (ONNX's erratum for opsets 23 and 24), never NaN. Every span length is
/// checked before any output is written; a wrong one throws <see cref="ArgumentException"/> naming it.
/// </para>
/// </remarks>
public readonly ref struct ScaledDotProductAttentionArguments
{
    /// <summary>How <see cref="Query"/>, <see cref="Key"/>, <see cref="Value"/> and <see cref="Output"/> are laid out (4-D or 3-D).</summary>
    public AttentionLayout Layout { get; init; }

    /// <summary>Batch size B.</summary>
    public int Batch { get; init; }

    /// <summary>Query sequence length Sq.</summary>
    public int QueryLength { get; init; }

    /// <summary>Number S of new key/value rows in <see cref="Key"/> and <see cref="Value"/> (the past rows not counted).</summary>
    public int KeyLength { get; init; }

    /// <summary>Queries, <c>[B, Hq, Sq, D]</c> or <c>[B, Sq, Hq·D]</c> as <see cref="Layout"/> says.</summary>
    public ReadOnlySpan<float> Query { get; init; }

    /// <summary>New keys, <c>[B, Hkv, S, D]</c> or <c>[B, S, Hkv·D]</c>.</summary>
    public ReadOnlySpan<float> Key { get; init; }

    /// <summary>New values, <c>[B, Hkv, S, Dv]</c> or <c>[B, S, Hkv·Dv]</c>.</summary>
    public ReadOnlySpan<float> Value { get; init; }

    /// <summary>Result Y, <c>[B, Hq, Sq, Dv]</c> or <c>[B, Sq, Hq·Dv]</c>; fully overwritten.</summary>
    public Span<float> Output { get; init; }

    /// <summary>
    /// Whether query <c>i</c> may not attend to key <c>j &gt; i + offset</c>, where offset is <see cref="PastLength"/>
    /// when a past is given, else <c>NonPadKeyLengths[b] − Sq</c> when those are given, else 0 (ONNX <c>is_causal</c>).
    /// </summary>
    public bool IsCausal { get; init; }

    /// <summary>Factor applied to <c>Q·Kᵀ</c>; 0 (the default) means <c>1/√D</c> (ONNX <c>scale</c>).</summary>
    public float Scale { get; init; }

    /// <summary>Softcap <c>c</c>: scores become <c>c · tanh(s / c)</c> before the bias is added; 0 (the default) turns it off.</summary>
    public float Softcap { get; init; }

    /// <summary>
    /// Optional additive mask (may hold negative infinity) of shape <see cref="MaskShape"/>, broadcast to
    /// <c>[B, Hq, Sq, T]</c> (ONNX float <c>attn_mask</c>). At most one of this and <see cref="BooleanMask"/>.
    /// </summary>
    public ReadOnlySpan<float> AttentionMask { get; init; }

    /// <summary>Optional boolean mask of shape <see cref="MaskShape"/>, <c>true</c> = may attend (ONNX bool <c>attn_mask</c>).</summary>
    public ReadOnlySpan<bool> BooleanMask { get; init; }

    /// <summary>
    /// Shape of <see cref="AttentionMask"/> or <see cref="BooleanMask"/>: 1 to 4 dimensions, right-aligned against
    /// <c>[B, Hq, Sq, T]</c> with numpy broadcasting (each leading dimension 1 or equal). The last dimension may be
    /// shorter than T: the missing keys are masked, as ONNX pads the mask with negative infinity.
    /// </summary>
    public ReadOnlySpan<int> MaskShape { get; init; }

    /// <summary>Optional cached keys <c>[B, Hkv, P, D]</c> placed before <see cref="Key"/> (ONNX <c>past_key</c>).</summary>
    public ReadOnlySpan<float> PastKey { get; init; }

    /// <summary>Optional cached values <c>[B, Hkv, P, Dv]</c> placed before <see cref="Value"/> (ONNX <c>past_value</c>).</summary>
    public ReadOnlySpan<float> PastValue { get; init; }

    /// <summary>Number of cached rows P in <see cref="PastKey"/>/<see cref="PastValue"/>; 0 when there is no past.</summary>
    public int PastLength { get; init; }

    /// <summary>Optional output <c>[B, Hkv, P + S, D]</c>: past and new keys concatenated (ONNX <c>present_key</c>).</summary>
    public Span<float> PresentKey { get; init; }

    /// <summary>Optional output <c>[B, Hkv, P + S, Dv]</c>: past and new values concatenated (ONNX <c>present_value</c>).</summary>
    public Span<float> PresentValue { get; init; }

    /// <summary>
    /// Optional <c>[B]</c> counts of valid keys per batch, each in <c>[0, T]</c>: keys <c>j ≥ NonPadKeyLengths[b]</c> are
    /// masked (ONNX-24 <c>nonpad_kv_seqlen</c>, for a static KV cache).
    /// </summary>
    public ReadOnlySpan<long> NonPadKeyLengths { get; init; }

    /// <summary>Optional output <c>[B, Hq, Sq, T]</c>: the scores at the stage <see cref="QkMatMulOutputMode"/> names (ONNX <c>qk_matmul_output</c>).</summary>
    public Span<float> QkMatMulOutput { get; init; }

    /// <summary>Which stage <see cref="QkMatMulOutput"/> captures (ONNX <c>qk_matmul_output_mode</c>).</summary>
    public QkMatMulOutputMode QkMatMulOutputMode { get; init; }
}
