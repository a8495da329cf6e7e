using System;
using System.ComponentModel;
using System.Threading;

namespace Attend.Kernels;

/// <summary>
/// The body of every <c>[MultiHeadAttention]</c> layer: argument checks, Q/K/V projections into per-thread scratch, the
/// attention driver over the head kernels, and the output projection. Generated classes delegate to it in one line each,
/// so a second layer of a head shape adds only its constants; instantiated over the declaration's
/// <typeparamref name="TShape"/> struct and its shared <typeparamref name="THeadKernels"/>, it is still compiled per layer
/// with every size a constant.
/// </summary>
/// <typeparam name="TShape">The declaration's constants (a generated struct).</typeparam>
/// <typeparam name="THeadKernels">The head kernels of the declaration's head shape (a generated struct shared by every layer of that shape).</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)] // only generated code calls it: kept out of users' IntelliSense
public static partial class MultiHeadAttentionCore<TShape, THeadKernels>
    where TShape : struct, IMultiHeadAttentionShape
    where THeadKernels : struct, IAttentionHeadKernels
{
    private static int ModelDim => TShape.ModelDim;

    private static int DimHead => TShape.DimHead;

    private static int KeyDim => TShape.KeyDim;

    private static int ValueDim => TShape.ValueDim;

    private static int InnerDim => MultiHeadAttentionWeights<TShape>.InnerDim;

    private static int KvInnerDim => MultiHeadAttentionWeights<TShape>.KvInnerDim;

    private static int QkvWidth => MultiHeadAttentionWeights<TShape>.QkvWidth;

    /// <summary>
    /// Loads weights saved from <c>torch.nn.MultiheadAttention</c>'s <c>state_dict</c>, under PyTorch's names:
    /// <c>in_proj_weight</c> [InnerDim + 2·KvInnerDim, ModelDim] when KeyDim = ValueDim = ModelDim, else <c>q_proj_weight</c>
    /// [InnerDim, ModelDim], <c>k_proj_weight</c> [KvInnerDim, KeyDim] and <c>v_proj_weight</c> [KvInnerDim, ValueDim]; with bias
    /// <c>in_proj_bias</c> [InnerDim + 2·KvInnerDim]; <c>out_proj.weight</c> [ModelDim, InnerDim]; with bias <c>out_proj.bias</c> [ModelDim]
    /// (InnerDim = Heads·DimHead, KvInnerDim = KvHeads·DimHead: both are ModelDim unless the layer is grouped-query).
    /// Every tensor is read and checked before any is applied, so a failed load leaves the layer unchanged.
    /// Safe while <c>Forward</c> runs on other threads: the new weights replace the old all at once when packed,
    /// and a forward pass already running finishes with the weights it started with.
    /// </summary>
    /// <param name="weights">The layer's published weights: replaced by the new set with one volatile write.</param>
    /// <param name="source">The tensors, e.g. <c>SafeTensors.Open("model.safetensors")</c>; tensors it holds beyond these are ignored.</param>
    /// <param name="prefix">Prepended to every name, e.g. <c>"layers.0.self_attn."</c>.</param>
    /// <param name="precision">How the projections are stored, for a layer with a <c>WeightPrecision</c>; ignored otherwise.</param>
    /// <exception cref="System.Collections.Generic.KeyNotFoundException">A tensor is missing.</exception>
    /// <exception cref="System.IO.InvalidDataException">A tensor has the wrong shape; the message gives both shapes.</exception>
    public static void LoadWeights(ref MultiHeadAttentionWeights<TShape> weights, IWeightSource source, string prefix, WeightPrecision precision = WeightPrecision.Float32)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(prefix);
        float[]? inProjWeight = null;
        ReadOnlySpan<float> queryWeight, keyWeight, valueWeight;
        if (MultiHeadAttentionWeights<TShape>.PackedInput)
        {
            inProjWeight = WeightLoading.Read(source, prefix, "in_proj_weight", QkvWidth, ModelDim);
            queryWeight = inProjWeight.AsSpan(0, InnerDim * ModelDim);
            keyWeight = inProjWeight.AsSpan(InnerDim * ModelDim, KvInnerDim * ModelDim);
            valueWeight = inProjWeight.AsSpan((InnerDim + KvInnerDim) * ModelDim, KvInnerDim * ModelDim);
        }
        else
        {
            queryWeight = WeightLoading.Read(source, prefix, "q_proj_weight", InnerDim, ModelDim);
            keyWeight = WeightLoading.Read(source, prefix, "k_proj_weight", KvInnerDim, KeyDim);
            valueWeight = WeightLoading.Read(source, prefix, "v_proj_weight", KvInnerDim, ValueDim);
        }

        float[]? inProjBias = TShape.Bias ? WeightLoading.Read(source, prefix, "in_proj_bias", QkvWidth) : null;
        float[] outProjWeight = WeightLoading.Read(source, prefix, "out_proj.weight", ModelDim, InnerDim);
        float[]? outProjBias = TShape.Bias ? WeightLoading.Read(source, prefix, "out_proj.bias", ModelDim) : null;

        var next = new MultiHeadAttentionWeights<TShape>();
        if (inProjWeight is not null) next.Qkv.Pack(inProjWeight, precision);
        next.Query.Pack(queryWeight, precision);
        next.Key.Pack(keyWeight, precision);
        next.Value.Pack(valueWeight, precision);
        next.Output.Pack(outProjWeight, precision);
        inProjBias?.CopyTo(next.InputBias!, 0);
        outProjBias?.CopyTo(next.OutputBias!, 0);
        Volatile.Write(ref weights, next);
    }

    /// <summary>
    /// Runs attention: <c>output = softmax(scale · Q Kᵀ + mask) V</c> per head, projected in and out,
    /// with Q, K, V the projections of <paramref name="query"/>, <paramref name="key"/> and <paramref name="value"/>.
    /// Allocates nothing once warm and may be called from many threads at once.
    /// </summary>
    /// <param name="weights">The layer's published weights, read once for the whole pass.</param>
    /// <param name="requestedPath">The layer's <c>Path</c>, resolved once every argument is checked.</param>
    /// <param name="threads">The layer's <c>MaxDegreeOfParallelism</c>.</param>
    /// <param name="query">Queries <c>[batch, queryLength, ModelDim]</c>, row-major.</param>
    /// <param name="output">Receives <c>[batch, queryLength, ModelDim]</c>.</param>
    /// <param name="batch">Number of sequences.</param>
    /// <param name="queryLength">Rows per sequence of <paramref name="query"/>.</param>
    /// <param name="key">Keys <c>[batch, keyLength, KeyDim]</c>; empty for self-attention (key = value = query), which needs KeyDim = ValueDim = ModelDim.</param>
    /// <param name="value">Values <c>[batch, keyLength, ValueDim]</c>; empty means value = key, which needs ValueDim = KeyDim.</param>
    /// <param name="keyLength">Rows per sequence of <paramref name="key"/>; 0 with self-attention.</param>
    /// <param name="keyPaddingMask"><c>[batch, keyLength]</c>, true = padded key (PyTorch's polarity); required with <c>Mask = KeyPadding</c>, optional otherwise.</param>
    /// <param name="attentionWeights">Optional; receives per-head probabilities <c>[batch, Heads, queryLength, keyLength]</c>.</param>
    /// <exception cref="ArgumentException">A length or size does not match; the message names the argument and the size expected.</exception>
    public static void Forward(ref MultiHeadAttentionWeights<TShape> weights, KernelPath requestedPath, int threads,
        ReadOnlySpan<float> query, Span<float> output, int batch, int queryLength, ReadOnlySpan<float> key, ReadOnlySpan<float> value,
        int keyLength, ReadOnlySpan<bool> keyPaddingMask, Span<float> attentionWeights)
    {
        bool selfAttention = CheckForward(query, output, batch, queryLength, key, value, ref keyLength, keyPaddingMask, attentionWeights);
        MultiHeadAttentionWeights<TShape> published = Volatile.Read(ref weights); // one set for the whole pass
        KernelPath path = KernelPaths.Resolve(requestedPath);
        int queryRows = batch * queryLength; // fits: query.Length was checked
        int keyRows = batch * keyLength;
        long scratchLength = selfAttention ? (long)queryRows * (QkvWidth + InnerDim) : 2L * queryRows * InnerDim + 2L * keyRows * KvInnerDim;
        if (scratchLength > Array.MaxLength) throw new ArgumentException($"batch × (queryLength + keyLength) is too large: the projected Q, K, V need {scratchLength} floats, more than one array holds; split the batch.", nameof(batch));
        int projectedLength = selfAttention ? queryRows * QkvWidth : queryRows * InnerDim + 2 * keyRows * KvInnerDim;

        // This thread's reusable buffer: a warm Forward allocates nothing; other threads' calls have their own.
        float[] scratch = LayerScratch.Rent((int)scratchLength);
        Span<float> context = scratch.AsSpan(projectedLength, queryRows * InnerDim);
        ReadOnlySpan<float> q, k, v;
        int queryRowStride, keyRowStride;
        if (selfAttention)
        {
            // One pass over the input yields Q | K | V side by side in each row.
            Span<float> qkv = scratch.AsSpan(0, projectedLength);
            published.Qkv.Project(path, query, queryRows, published.InputBias, qkv, threads);
            q = qkv;
            k = qkv.Slice(InnerDim);
            v = qkv.Slice(InnerDim + KvInnerDim);
            queryRowStride = keyRowStride = QkvWidth;
        }
        else
        {
            Span<float> projectedQuery = scratch.AsSpan(0, queryRows * InnerDim);
            Span<float> projectedKey = scratch.AsSpan(queryRows * InnerDim, keyRows * KvInnerDim);
            Span<float> projectedValue = scratch.AsSpan(queryRows * InnerDim + keyRows * KvInnerDim, keyRows * KvInnerDim);
            published.Query.Project(path, query, queryRows, InputBias(published, 0, InnerDim), projectedQuery, threads);
            published.Key.Project(path, key, keyRows, InputBias(published, InnerDim, KvInnerDim), projectedKey, threads);
            published.Value.Project(path, value.IsEmpty ? key : value, keyRows, InputBias(published, InnerDim + KvInnerDim, KvInnerDim), projectedValue, threads);
            q = projectedQuery;
            k = projectedKey;
            v = projectedValue;
            queryRowStride = InnerDim;
            keyRowStride = KvInnerDim;
        }

        // Head h of row i sits at i · rowStride + h · DimHead: the driver reads heads in place, no transpose.
        var problem = new AttentionProblem
        {
            Batch = batch, Heads = TShape.Heads, KvHeads = TShape.KvHeads, QueryLength = queryLength, KeyLength = keyLength,
            Query = q, QueryBatchStride = queryLength * queryRowStride, QueryHeadStride = DimHead, QueryRowStride = queryRowStride,
            Key = k, KeyBatchStride = keyLength * keyRowStride, KeyHeadStride = DimHead, KeyRowStride = keyRowStride,
            Value = v, ValueBatchStride = keyLength * keyRowStride, ValueHeadStride = DimHead, ValueRowStride = keyRowStride,
            Output = context, OutputBatchStride = queryLength * InnerDim, OutputHeadStride = DimHead, OutputRowStride = InnerDim,
            Scale = TShape.Scale, Causal = TShape.Causal, KeyPaddingMask = keyPaddingMask, Probabilities = attentionWeights,
            Window = TShape.Window,
            Path = path, MaxDegreeOfParallelism = threads,
        };
        AttentionDriver.Run<THeadKernels>(problem);
        published.Output.Project(path, context, queryRows, published.OutputBias, output, threads);
    }

    /// <summary>Checks every argument of <see cref="Forward"/>; returns whether it is self-attention, with <paramref name="keyLength"/> then set.</summary>
    private static bool CheckForward(ReadOnlySpan<float> query, Span<float> output, int batch, int queryLength, ReadOnlySpan<float> key, ReadOnlySpan<float> value,
        ref int keyLength, ReadOnlySpan<bool> keyPaddingMask, Span<float> attentionWeights)
    {
        ArgumentChecks.Positive(batch, nameof(batch));
        ArgumentChecks.Positive(queryLength, nameof(queryLength));
        bool selfAttention = key.IsEmpty;
        if (selfAttention)
        {
            if (!value.IsEmpty) throw new ArgumentException("value was given without key; pass key as well, or neither for self-attention.", nameof(value));
            if (keyLength != 0 && keyLength != queryLength) throw new ArgumentException($"keyLength must be 0 or queryLength ({queryLength}) when key is empty (self-attention); it was {keyLength}.", nameof(keyLength));
            if (!MultiHeadAttentionWeights<TShape>.PackedInput) throw new ArgumentException($"key is required: KeyDim ({KeyDim}) and ValueDim ({ValueDim}) differ from ModelDim ({ModelDim}), so the query cannot serve as key and value.", nameof(key));
            keyLength = queryLength;
        }
        else
        {
            ArgumentChecks.Positive(keyLength, nameof(keyLength));
            ArgumentChecks.Length(key.Length, (long)batch * keyLength * KeyDim, nameof(key), $"batch × keyLength × KeyDim = {batch} × {keyLength} × {KeyDim}");
            if (KeyDim != ValueDim && value.IsEmpty) throw new ArgumentException($"value is required: ValueDim ({ValueDim}) differs from KeyDim ({KeyDim}), so the key cannot serve as value.", nameof(value));
            if (!value.IsEmpty) ArgumentChecks.Length(value.Length, (long)batch * keyLength * ValueDim, nameof(value), $"batch × keyLength × ValueDim = {batch} × {keyLength} × {ValueDim}");
        }

        ArgumentChecks.Length(query.Length, (long)batch * queryLength * ModelDim, nameof(query), $"batch × queryLength × ModelDim = {batch} × {queryLength} × {ModelDim}");
        ArgumentChecks.Length(output.Length, (long)batch * queryLength * ModelDim, nameof(output), $"batch × queryLength × ModelDim = {batch} × {queryLength} × {ModelDim}");
        if (TShape.RequiresKeyPadding && keyPaddingMask.IsEmpty) throw new ArgumentException($"keyPaddingMask is required by this layer's Mask = KeyPadding: pass [batch, keyLength] = {batch} × {keyLength} flags, true = padded.", nameof(keyPaddingMask));
        if (!keyPaddingMask.IsEmpty) ArgumentChecks.Length(keyPaddingMask.Length, (long)batch * keyLength, nameof(keyPaddingMask), $"batch × keyLength = {batch} × {keyLength}");
        if (!attentionWeights.IsEmpty) ArgumentChecks.Length(attentionWeights.Length, (long)batch * TShape.Heads * queryLength * keyLength, nameof(attentionWeights), $"batch × Heads × queryLength × keyLength = {batch} × {TShape.Heads} × {queryLength} × {keyLength}");
        return selfAttention;
    }

    /// <summary>Columns <paramref name="start"/>.. of <c>in_proj_bias</c>, or none without bias.</summary>
    private static ReadOnlySpan<float> InputBias(MultiHeadAttentionWeights<TShape> weights, int start, int length) =>
        TShape.Bias ? weights.InputBias.AsSpan(start, length) : default;
}
