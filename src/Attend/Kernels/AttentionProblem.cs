using System;
using System.ComponentModel;

namespace Attend.Kernels;

/// <summary>
/// Everything one call of <see cref="AttentionDriver.Run{TKernels}(in AttentionProblem)"/> needs: shapes,
/// strided views of Q, K, V and the output, masks, and optional probability/score outputs.
/// </summary>
/// <remarks>
/// <para>
/// Lengths and strides count elements, not bytes. Element <c>d</c> of row <c>i</c> of head <c>h</c> in batch
/// <c>b</c> of the query lies at <c>b·QueryBatchStride + h·QueryHeadStride + i·QueryRowStride + d</c>; keys,
/// values and the output follow the same rule with their own strides. So <c>[B, H, S, D]</c> tensors
/// (head stride <c>S·D</c>, row stride <c>D</c>), <c>[B, S, H·D]</c> tensors (head stride <c>D</c>, row stride
/// <c>H·D</c>) and the projected buffers of multi-head attention all run without a copy.
/// </para>
/// <para>
/// Per query row the driver computes <c>s_j = Scale · q·k_j</c>, applies <see cref="Softcap"/>, then the bias
/// (<see cref="AdditiveMask"/> or <see cref="BooleanMask"/>, <see cref="Causal"/>, <see cref="KeyPaddingMask"/>,
/// <see cref="KeyValidLengths"/>), a softmax that subtracts the row maximum, and <c>Σ p_j v_j</c>. A key is
/// masked when any of those rules masks it; a row whose keys are all masked yields zeros, never NaN.
/// </para>
/// <para>
/// Strided spans (query, key, value, output, explicit mask) must hold at least the elements the strides reach;
/// dense spans (key padding, valid lengths, causal offsets, probabilities, scores) must match their shape exactly.
/// Output rows must not overlap one another: rows run in parallel.
/// </para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)] // only generated code calls it: kept out of users' IntelliSense
public readonly ref struct AttentionProblem
{
    /// <summary>Batch size B.</summary>
    public int Batch { get; init; }

    /// <summary>Number of query heads H.</summary>
    public int Heads { get; init; }

    /// <summary>
    /// Number of key/value heads; 0 (the default) means <see cref="Heads"/>. Must divide <see cref="Heads"/>:
    /// query head <c>h</c> reads key/value head <c>h / (Heads / KvHeads)</c> (grouped-query attention).
    /// </summary>
    public int KvHeads { get; init; }

    /// <summary>Number of query rows Sq per head.</summary>
    public int QueryLength { get; init; }

    /// <summary>Number of key/value rows T per head (past and new keys together).</summary>
    public int KeyLength { get; init; }

    /// <summary>Queries: <c>[Batch, Heads, QueryLength, DimHead]</c> through the query strides.</summary>
    public ReadOnlySpan<float> Query { get; init; }

    /// <summary>Elements between consecutive batches of <see cref="Query"/>.</summary>
    public int QueryBatchStride { get; init; }

    /// <summary>Elements between consecutive heads of <see cref="Query"/>.</summary>
    public int QueryHeadStride { get; init; }

    /// <summary>Elements between consecutive rows of one head of <see cref="Query"/>.</summary>
    public int QueryRowStride { get; init; }

    /// <summary>Keys: <c>[Batch, KvHeads, KeyLength, DimHead]</c> through the key strides.</summary>
    public ReadOnlySpan<float> Key { get; init; }

    /// <summary>Elements between consecutive batches of <see cref="Key"/>.</summary>
    public int KeyBatchStride { get; init; }

    /// <summary>Elements between consecutive heads of <see cref="Key"/>.</summary>
    public int KeyHeadStride { get; init; }

    /// <summary>Elements between consecutive rows of one head of <see cref="Key"/>.</summary>
    public int KeyRowStride { get; init; }

    /// <summary>
    /// Optional cached keys <c>[Batch, KvHeads, PastLength, DimHead]</c>, dense: key rows <c>j &lt; PastLength</c> are read
    /// from here and rows <c>j ≥ PastLength</c> from <see cref="Key"/> row <c>j − PastLength</c>, so a KV cache is read in
    /// place instead of being copied next to the new keys.
    /// </summary>
    public ReadOnlySpan<float> PastKey { get; init; }

    /// <summary>Optional cached values <c>[Batch, KvHeads, PastLength, ValueDimHead]</c>, dense, placed before <see cref="Value"/> as <see cref="PastKey"/>.</summary>
    public ReadOnlySpan<float> PastValue { get; init; }

    /// <summary>Rows in <see cref="PastKey"/> and <see cref="PastValue"/>, 0 to <see cref="KeyLength"/>; <see cref="Key"/> and <see cref="Value"/> then hold <c>KeyLength − PastLength</c> rows.</summary>
    public int PastLength { get; init; }

    /// <summary>Values: <c>[Batch, KvHeads, KeyLength, ValueDimHead]</c> through the value strides.</summary>
    public ReadOnlySpan<float> Value { get; init; }

    /// <summary>Elements between consecutive batches of <see cref="Value"/>.</summary>
    public int ValueBatchStride { get; init; }

    /// <summary>Elements between consecutive heads of <see cref="Value"/>.</summary>
    public int ValueHeadStride { get; init; }

    /// <summary>Elements between consecutive rows of one head of <see cref="Value"/>.</summary>
    public int ValueRowStride { get; init; }

    /// <summary>Result: <c>[Batch, Heads, QueryLength, ValueDimHead]</c> through the output strides; every row is overwritten.</summary>
    public Span<float> Output { get; init; }

    /// <summary>Elements between consecutive batches of <see cref="Output"/>.</summary>
    public int OutputBatchStride { get; init; }

    /// <summary>Elements between consecutive heads of <see cref="Output"/>.</summary>
    public int OutputHeadStride { get; init; }

    /// <summary>Elements between consecutive rows of one head of <see cref="Output"/>.</summary>
    public int OutputRowStride { get; init; }

    /// <summary>The factor applied to every dot product, already resolved (callers turn "default" into <c>1/√D</c>).</summary>
    public float Scale { get; init; }

    /// <summary>Softcap <c>c</c>: scores become <c>c · tanh(s / c)</c> before the bias is added; 0 turns it off.</summary>
    public float Softcap { get; init; }

    /// <summary>Whether key <c>j</c> is masked for query row <c>i</c> when <c>j &gt; i + offset</c>.</summary>
    public bool Causal { get; init; }

    /// <summary>
    /// Sliding-window (local) attention: 0 (the default) is off. With a window <c>w</c>, query row <c>i</c> sees key <c>j</c>
    /// only when <c>j &gt; i + offset − w</c>, and, without <see cref="Causal"/>, <c>j &lt; i + offset + w</c> (offset the
    /// causal offset, so the window follows a KV cache). Keys outside the window are never scored.
    /// Not available with <see cref="Scores"/>.
    /// </summary>
    public int Window { get; init; }

    /// <summary>
    /// The causal offset for every batch when <see cref="CausalOffsets"/> is empty: 0 aligns the diagonal top-left
    /// (PyTorch's <c>is_causal</c>); the past length aligns it to a KV cache. May be negative.
    /// </summary>
    public int CausalOffset { get; init; }

    /// <summary>
    /// Optional per-batch causal offsets <c>[Batch]</c> replacing <see cref="CausalOffset"/> (ONNX with
    /// <c>nonpad_kv_seqlen</c>: <c>nonpad[b] − QueryLength</c>). A negative offset can mask whole rows.
    /// </summary>
    public ReadOnlySpan<long> CausalOffsets { get; init; }

    /// <summary>Optional <c>[Batch, KeyLength]</c> key padding mask, <c>true</c> = padded (PyTorch's <c>key_padding_mask</c> polarity).</summary>
    public ReadOnlySpan<bool> KeyPaddingMask { get; init; }

    /// <summary>Optional <c>[Batch]</c> valid key counts: keys <c>j ≥ KeyValidLengths[b]</c> are masked (ONNX <c>nonpad_kv_seqlen</c>).</summary>
    public ReadOnlySpan<long> KeyValidLengths { get; init; }

    /// <summary>
    /// Optional additive mask added to the scores after the softcap (may hold negative infinity), addressed
    /// <c>b·MaskBatchStride + h·MaskHeadStride + i·MaskRowStride + j</c> for <c>j &lt; MaskLength</c>.
    /// At most one of <see cref="AdditiveMask"/> and <see cref="BooleanMask"/> may be given.
    /// </summary>
    public ReadOnlySpan<float> AdditiveMask { get; init; }

    /// <summary>Optional boolean mask, <c>true</c> = may attend (ONNX polarity), addressed as <see cref="AdditiveMask"/>.</summary>
    public ReadOnlySpan<bool> BooleanMask { get; init; }

    /// <summary>Elements between consecutive batches of the explicit mask; 0 broadcasts one slice to every batch.</summary>
    public int MaskBatchStride { get; init; }

    /// <summary>Elements between consecutive heads of the explicit mask; 0 broadcasts one slice to every head.</summary>
    public int MaskHeadStride { get; init; }

    /// <summary>Elements between consecutive query rows of the explicit mask; 0 broadcasts one row to every query.</summary>
    public int MaskRowStride { get; init; }

    /// <summary>
    /// Length of the explicit mask's last axis, 1 to <see cref="KeyLength"/>; keys <c>j ≥ MaskLength</c> are masked
    /// (ONNX pads a short mask with negative infinity).
    /// </summary>
    public int MaskLength { get; init; }

    /// <summary>Optional output <c>[Batch, Heads, QueryLength, KeyLength]</c> (dense): the post-softmax weights, zeros where masked.</summary>
    public Span<float> Probabilities { get; init; }

    /// <summary>
    /// Optional output <c>[Batch, Heads, QueryLength, KeyLength]</c> (dense): the scores at the stage <see cref="ScoresMode"/>
    /// names. The raw and softcapped modes score every key, even those a mask lets the driver skip otherwise.
    /// </summary>
    public Span<float> Scores { get; init; }

    /// <summary>Which stage <see cref="Scores"/> captures (ONNX <c>qk_matmul_output_mode</c>).</summary>
    public QkMatMulOutputMode ScoresMode { get; init; }

    /// <summary>The kernel path; <see cref="KernelPath.Auto"/> picks the widest accelerated one.</summary>
    public KernelPath Path { get; init; }

    /// <summary>Most threads to use; 1 or less runs sequentially on the calling thread. Results are bit-identical whatever the value.</summary>
    public int MaxDegreeOfParallelism { get; init; }

    /// <summary><see cref="KvHeads"/> with 0 resolved to <see cref="Heads"/>.</summary>
    internal int ResolvedKvHeads => KvHeads == 0 ? Heads : KvHeads;

    /// <summary>
    /// Checks every dimension, stride and span length against the shape, so the driver can then index without
    /// bounds checks. Throws before any memory is written.
    /// </summary>
    /// <param name="dimHead">Width of a query/key head.</param>
    /// <param name="valueDimHead">Width of a value head.</param>
    /// <param name="pastInCache">The past rows come from a <see cref="KvCache"/> the caller checked, not from <see cref="PastKey"/>/<see cref="PastValue"/>.</param>
    internal void Validate(int dimHead, int valueDimHead, bool pastInCache = false)
    {
        RequireNonNegative(Batch, nameof(Batch));
        RequirePositive(Heads, nameof(Heads));
        RequireNonNegative(KvHeads, nameof(KvHeads));
        RequireNonNegative(QueryLength, nameof(QueryLength));
        RequireNonNegative(KeyLength, nameof(KeyLength));
        int kvHeads = ResolvedKvHeads;
        if (Heads % kvHeads != 0)
        {
            throw new ArgumentException($"KvHeads ({kvHeads}) must divide Heads ({Heads}).", nameof(KvHeads));
        }

        RequireStrided(Query.Length, nameof(Query), Batch, Heads, QueryLength, dimHead,
            QueryBatchStride, QueryHeadStride, QueryRowStride, "[Batch, Heads, QueryLength, DimHead]");
        if (PastLength < 0 || PastLength > KeyLength)
        {
            throw new ArgumentOutOfRangeException(nameof(PastLength), PastLength, $"PastLength must lie in [0, KeyLength = {KeyLength}].");
        }

        int newKeys = KeyLength - PastLength;
        if (!pastInCache)
        {
            ValidatePast(kvHeads, dimHead, valueDimHead);
        }

        RequireStrided(Key.Length, nameof(Key), Batch, kvHeads, newKeys, dimHead,
            KeyBatchStride, KeyHeadStride, KeyRowStride, "[Batch, KvHeads, KeyLength - PastLength, DimHead]");
        RequireStrided(Value.Length, nameof(Value), Batch, kvHeads, newKeys, valueDimHead,
            ValueBatchStride, ValueHeadStride, ValueRowStride, "[Batch, KvHeads, KeyLength - PastLength, ValueDimHead]");
        RequireStrided(Output.Length, nameof(Output), Batch, Heads, QueryLength, valueDimHead,
            OutputBatchStride, OutputHeadStride, OutputRowStride, "[Batch, Heads, QueryLength, ValueDimHead]");

        if (float.IsNaN(Scale) || float.IsInfinity(Scale))
        {
            throw new ArgumentOutOfRangeException(nameof(Scale), Scale, "Scale must be finite.");
        }

        if (!(Softcap >= 0) || float.IsPositiveInfinity(Softcap))
        {
            throw new ArgumentOutOfRangeException(nameof(Softcap), Softcap, "Softcap must be 0 (off) or a positive finite number.");
        }

        RequireNonNegative(Window, nameof(Window));
        if (Window > 0 && !Scores.IsEmpty)
        {
            throw new ArgumentException("Scores cannot be captured with a sliding Window: keys outside the window are never scored.", nameof(Scores));
        }

        RequireDenseOrEmpty(CausalOffsets.Length, nameof(CausalOffsets), Batch, "[Batch]");
        RequireDenseOrEmpty(KeyPaddingMask.Length, nameof(KeyPaddingMask), (long)Batch * KeyLength, "[Batch, KeyLength]");
        RequireDenseOrEmpty(KeyValidLengths.Length, nameof(KeyValidLengths), Batch, "[Batch]");
        for (int b = 0; b < KeyValidLengths.Length; b++)
        {
            long valid = KeyValidLengths[b];
            if (valid < 0 || valid > KeyLength)
            {
                throw new ArgumentOutOfRangeException(nameof(KeyValidLengths), valid,
                    $"KeyValidLengths[{b}] must lie in [0, KeyLength = {KeyLength}].");
            }
        }

        ValidateMask();

        long scoreElements = (long)Batch * Heads * QueryLength * KeyLength;
        RequireDenseOrEmpty(Probabilities.Length, nameof(Probabilities), scoreElements, "[Batch, Heads, QueryLength, KeyLength]");
        RequireDenseOrEmpty(Scores.Length, nameof(Scores), scoreElements, "[Batch, Heads, QueryLength, KeyLength]");
        if (ScoresMode is < QkMatMulOutputMode.RawScores or > QkMatMulOutputMode.AfterSoftmax)
        {
            throw new ArgumentOutOfRangeException(nameof(ScoresMode), ScoresMode, "Expected RawScores, AfterSoftcap, AfterMask or AfterSoftmax.");
        }

        _ = KernelPaths.Resolve(Path);
    }

    private void ValidatePast(int kvHeads, int dimHead, int valueDimHead)
    {
        RequireDenseOrEmpty(PastKey.Length, nameof(PastKey), (long)Batch * kvHeads * PastLength * dimHead, "[Batch, KvHeads, PastLength, DimHead]");
        RequireDenseOrEmpty(PastValue.Length, nameof(PastValue), (long)Batch * kvHeads * PastLength * valueDimHead, "[Batch, KvHeads, PastLength, ValueDimHead]");
        if (PastLength > 0 && Batch > 0 && (PastKey.IsEmpty || PastValue.IsEmpty))
        {
            throw new ArgumentException($"PastLength is {PastLength}: PastKey and PastValue must hold the cached rows.", PastKey.IsEmpty ? nameof(PastKey) : nameof(PastValue));
        }
    }

    private void ValidateMask()
    {
        bool additive = !AdditiveMask.IsEmpty, boolean = !BooleanMask.IsEmpty;
        if (additive && boolean)
        {
            throw new ArgumentException("Give at most one of AdditiveMask and BooleanMask.", nameof(BooleanMask));
        }

        if (!additive && !boolean)
        {
            return;
        }

        // A zero-length mask row would silently mask every key; demand at least one column unless there are no keys.
        int minimumLength = Math.Min(1, KeyLength);
        if (MaskLength < minimumLength || MaskLength > KeyLength)
        {
            throw new ArgumentOutOfRangeException(nameof(MaskLength), MaskLength,
                $"MaskLength must lie in [{minimumLength}, KeyLength = {KeyLength}].");
        }

        string name = additive ? nameof(AdditiveMask) : nameof(BooleanMask);
        int length = additive ? AdditiveMask.Length : BooleanMask.Length;
        RequireStrided(length, name, Batch, Heads, QueryLength, MaskLength,
            MaskBatchStride, MaskHeadStride, MaskRowStride, "[Batch, Heads, QueryLength, MaskLength] (through the mask strides)");
    }

    private static void RequireNonNegative(int value, string name)
    {
        if (value < 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must not be negative.");
        }
    }

    private static void RequirePositive(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
        }
    }

    /// <summary>Checks a strided 4-D view: strides not negative, and the span reaches its last element.</summary>
    private static void RequireStrided(int length, string name, int batch, int heads, int rows, int width,
        int batchStride, int headStride, int rowStride, string shape)
    {
        if (batchStride < 0 || headStride < 0 || rowStride < 0)
        {
            throw new ArgumentOutOfRangeException(name,
                $"{name}'s strides must not be negative (batch {batchStride}, head {headStride}, row {rowStride}).");
        }

        long required = batch == 0 || heads == 0 || rows == 0 || width == 0
            ? 0
            : (long)(batch - 1) * batchStride + (long)(heads - 1) * headStride + (long)(rows - 1) * rowStride + width;
        if (length < required)
        {
            throw new ArgumentException(
                $"{name} must hold at least {required} elements for {shape} = [{batch}, {heads}, {rows}, {width}] " +
                $"with strides ({batchStride}, {headStride}, {rowStride}), but holds {length}.", name);
        }
    }

    private static void RequireDenseOrEmpty(int length, string name, long expected, string shape)
    {
        if (length != 0 && length != expected)
        {
            throw new ArgumentException($"{name} must be empty or hold exactly {expected} elements ({shape}), but holds {length}.", name);
        }
    }
}
