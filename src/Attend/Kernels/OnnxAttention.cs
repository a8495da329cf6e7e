using System;
using System.Buffers;
using System.ComponentModel;

namespace Attend.Kernels;

/// <summary>
/// The ONNX <c>Attention</c> operator (opsets 23 and 24) on top of <see cref="AttentionDriver"/>: validates a
/// <see cref="ScaledDotProductAttentionArguments"/>, builds the present key/value, and maps masks, causal offsets
/// and <c>nonpad_kv_seqlen</c> onto an <see cref="AttentionProblem"/>. The generated
/// <c>[ScaledDotProductAttention]</c> layer's <c>Forward</c> calls <see cref="Run{TKernels}"/>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)] // only generated code calls it: kept out of users' IntelliSense
public static class OnnxAttention
{
    /// <summary>
    /// Computes ONNX <c>Attention</c> for <paramref name="arguments"/>: <c>Y</c>, and <c>present_key</c>,
    /// <c>present_value</c> and <c>qk_matmul_output</c> when their spans are given.
    /// </summary>
    /// <typeparam name="TKernels">The layer's generated kernels; their <c>DimHead</c>/<c>ValueDimHead</c> are D and Dv.</typeparam>
    /// <param name="heads">Query heads Hq (<c>q_num_heads</c>).</param>
    /// <param name="kvHeads">Key/value heads Hkv (<c>kv_num_heads</c>); must divide <paramref name="heads"/>.</param>
    /// <param name="arguments">The call's tensors and options.</param>
    /// <param name="path">Kernel path; <see cref="KernelPath.Auto"/> picks the widest accelerated one.</param>
    /// <param name="maxDegreeOfParallelism">Most threads to use; 1 or less runs on the calling thread.</param>
    /// <exception cref="ArgumentException">A span's length does not match its shape, or a length, the mask shape or
    /// an option is invalid. The message names the argument, the expected size and the size found; nothing has been
    /// written when it is thrown.</exception>
    public static void Run<TKernels>(int heads, int kvHeads, scoped in ScaledDotProductAttentionArguments arguments, KernelPath path, int maxDegreeOfParallelism)
        where TKernels : struct, IAttentionHeadKernels
    {
        int dimHead = TKernels.DimHead;
        int valueDimHead = TKernels.ValueDimHead;
        Shape shape = Validate(heads, kvHeads, in arguments, dimHead, valueDimHead);
        MaskView mask = BroadcastMask(in arguments, shape);

        float[]? keyScratch = null, valueScratch = null;
        long[]? offsetScratch = null;
        try
        {
            // Past ++ new along the sequence axis, into present_* when asked for, else into pooled scratch.
            // With neither past nor present the new keys/values are read in place, in either layout.
            // A past with no present to fill is read in place: the driver takes keys j < Past from it (a KV-cache
            // decode step then reads the cache once instead of copying it first).
            bool pastInPlace = shape.Past > 0 && arguments.PresentKey.IsEmpty && arguments.PresentValue.IsEmpty;
            View keys = pastInPlace
                ? View.For(arguments.Layout, shape.Batch, shape.KvHeads, shape.NewKeys, dimHead).WithData(arguments.Key)
                : ConcatenateOrView(arguments.PastKey, arguments.Key, arguments.PresentKey, arguments.Layout, shape, dimHead, ref keyScratch);
            View values = pastInPlace
                ? View.For(arguments.Layout, shape.Batch, shape.KvHeads, shape.NewKeys, valueDimHead).WithData(arguments.Value)
                : ConcatenateOrView(arguments.PastValue, arguments.Value, arguments.PresentValue, arguments.Layout, shape, valueDimHead, ref valueScratch);

            ReadOnlySpan<long> causalOffsets = default;
            if (arguments.IsCausal && shape.Past == 0 && !arguments.NonPadKeyLengths.IsEmpty)
            {
                // External (static) cache: the diagonal ends at each batch's last valid key.
                offsetScratch = ArrayPool<long>.Shared.Rent(shape.Batch);
                for (int b = 0; b < shape.Batch; b++)
                {
                    offsetScratch[b] = arguments.NonPadKeyLengths[b] - shape.QueryLength;
                }

                causalOffsets = offsetScratch.AsSpan(0, shape.Batch);
            }

            View query = View.For(arguments.Layout, shape.Batch, heads, shape.QueryLength, dimHead);
            View output = View.For(arguments.Layout, shape.Batch, heads, shape.QueryLength, valueDimHead);
            var problem = new AttentionProblem
            {
                Batch = shape.Batch,
                Heads = heads,
                KvHeads = kvHeads,
                QueryLength = shape.QueryLength,
                KeyLength = shape.Total,
                Query = arguments.Query,
                QueryBatchStride = query.BatchStride,
                QueryHeadStride = query.HeadStride,
                QueryRowStride = query.RowStride,
                Key = keys.Data,
                KeyBatchStride = keys.BatchStride,
                KeyHeadStride = keys.HeadStride,
                KeyRowStride = keys.RowStride,
                Value = values.Data,
                ValueBatchStride = values.BatchStride,
                ValueHeadStride = values.HeadStride,
                ValueRowStride = values.RowStride,
                PastKey = pastInPlace ? arguments.PastKey : default,
                PastValue = pastInPlace ? arguments.PastValue : default,
                PastLength = pastInPlace ? shape.Past : 0,
                Output = arguments.Output,
                OutputBatchStride = output.BatchStride,
                OutputHeadStride = output.HeadStride,
                OutputRowStride = output.RowStride,
                Scale = arguments.Scale == 0 ? 1f / MathF.Sqrt(dimHead) : arguments.Scale,
                Softcap = arguments.Softcap,
                Causal = arguments.IsCausal,
                CausalOffset = shape.Past,
                CausalOffsets = causalOffsets,
                KeyValidLengths = arguments.NonPadKeyLengths,
                AdditiveMask = arguments.AttentionMask,
                BooleanMask = arguments.BooleanMask,
                MaskBatchStride = mask.BatchStride,
                MaskHeadStride = mask.HeadStride,
                MaskRowStride = mask.RowStride,
                MaskLength = mask.Length,
                Scores = arguments.QkMatMulOutput,
                ScoresMode = arguments.QkMatMulOutputMode,
                Path = path,
                MaxDegreeOfParallelism = maxDegreeOfParallelism,
            };
            AttentionDriver.Run<TKernels>(in problem);
        }
        finally
        {
            if (keyScratch != null)
            {
                ArrayPool<float>.Shared.Return(keyScratch);
            }

            if (valueScratch != null)
            {
                ArrayPool<float>.Shared.Return(valueScratch);
            }

            if (offsetScratch != null)
            {
                ArrayPool<long>.Shared.Return(offsetScratch);
            }
        }
    }

    /// <summary>The validated dimensions of one call.</summary>
    private readonly record struct Shape(int Batch, int Heads, int KvHeads, int QueryLength, int NewKeys, int Past)
    {
        /// <summary>Total key length T = past + new.</summary>
        public int Total => Past + NewKeys;
    }

    /// <summary>Strides of a 4-D view over a span, in elements.</summary>
    private readonly ref struct View(ReadOnlySpan<float> data, int batchStride, int headStride, int rowStride)
    {
        public ReadOnlySpan<float> Data { get; } = data;
        public int BatchStride { get; } = batchStride;
        public int HeadStride { get; } = headStride;
        public int RowStride { get; } = rowStride;

        /// <summary>Strides of a dense <c>[B, H, S, W]</c> or <c>[B, S, H·W]</c> tensor.</summary>
        public static View For(AttentionLayout layout, int batch, int heads, int length, int width) => layout == AttentionLayout.BatchHeadSequence
            ? new View(default, heads * length * width, length * width, width)
            : new View(default, length * heads * width, width, heads * width);

        public View WithData(ReadOnlySpan<float> data) => new(data, BatchStride, HeadStride, RowStride);
    }

    /// <summary>The explicit mask's broadcast strides over <c>[B, Hq, Sq]</c> and its last-axis length.</summary>
    private readonly record struct MaskView(int BatchStride, int HeadStride, int RowStride, int Length);

    private static Shape Validate(int heads, int kvHeads, scoped in ScaledDotProductAttentionArguments arguments, int dimHead, int valueDimHead)
    {
        if (heads <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(heads), heads, "heads must be positive.");
        }

        if (kvHeads <= 0 || heads % kvHeads != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(kvHeads), kvHeads, $"kvHeads must be positive and divide heads ({heads}).");
        }

        if (arguments.Layout is not (AttentionLayout.BatchHeadSequence or AttentionLayout.BatchSequenceHidden))
        {
            throw new ArgumentOutOfRangeException(nameof(arguments.Layout), arguments.Layout, "Expected BatchHeadSequence or BatchSequenceHidden.");
        }

        int batch = NonNegative(arguments.Batch, nameof(arguments.Batch));
        int queryLength = NonNegative(arguments.QueryLength, nameof(arguments.QueryLength));
        int newKeys = NonNegative(arguments.KeyLength, nameof(arguments.KeyLength));
        int past = NonNegative(arguments.PastLength, nameof(arguments.PastLength));
        if ((long)past + newKeys > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(arguments.PastLength), past, $"PastLength + KeyLength ({newKeys}) exceeds {int.MaxValue}.");
        }

        var shape = new Shape(batch, heads, kvHeads, queryLength, newKeys, past);
        long total = shape.Total;
        bool hidden = arguments.Layout == AttentionLayout.BatchSequenceHidden;
        // Constant texts (no formatting unless a check fails): a warm Forward allocates nothing.

        RequireExact(arguments.Query.Length, nameof(arguments.Query), (long)batch * heads * queryLength * dimHead, (hidden ? "[B, Sq, Hq·D]" : "[B, Hq, Sq, D]"));
        RequireExact(arguments.Key.Length, nameof(arguments.Key), (long)batch * kvHeads * newKeys * dimHead, (hidden ? "[B, S, Hkv·D]" : "[B, Hkv, S, D]"));
        RequireExact(arguments.Value.Length, nameof(arguments.Value), (long)batch * kvHeads * newKeys * valueDimHead, (hidden ? "[B, S, Hkv·Dv]" : "[B, Hkv, S, Dv]"));
        RequireExact(arguments.Output.Length, nameof(arguments.Output), (long)batch * heads * queryLength * valueDimHead, (hidden ? "[B, Sq, Hq·Dv]" : "[B, Hq, Sq, Dv]"));

        // A past of length 0 must come with empty spans: anything else means PastLength was forgotten.
        RequireExact(arguments.PastKey.Length, nameof(arguments.PastKey), (long)batch * kvHeads * past * dimHead, "[B, Hkv, PastLength, D]");
        RequireExact(arguments.PastValue.Length, nameof(arguments.PastValue), (long)batch * kvHeads * past * valueDimHead, "[B, Hkv, PastLength, Dv]");
        RequireExactOrEmpty(arguments.PresentKey.Length, nameof(arguments.PresentKey), (long)batch * kvHeads * total * dimHead, "[B, Hkv, PastLength + KeyLength, D]");
        RequireExactOrEmpty(arguments.PresentValue.Length, nameof(arguments.PresentValue), (long)batch * kvHeads * total * valueDimHead, "[B, Hkv, PastLength + KeyLength, Dv]");

        RequireExactOrEmpty(arguments.NonPadKeyLengths.Length, nameof(arguments.NonPadKeyLengths), batch, "[B]");
        for (int b = 0; b < arguments.NonPadKeyLengths.Length; b++)
        {
            long valid = arguments.NonPadKeyLengths[b];
            if (valid < 0 || valid > total)
            {
                throw new ArgumentOutOfRangeException(nameof(arguments.NonPadKeyLengths), valid,
                    $"NonPadKeyLengths[{b}] must lie in [0, PastLength + KeyLength = {total}].");
            }
        }

        RequireExactOrEmpty(arguments.QkMatMulOutput.Length, nameof(arguments.QkMatMulOutput), (long)batch * heads * queryLength * total, "[B, Hq, Sq, PastLength + KeyLength]");
        if (arguments.QkMatMulOutputMode is < QkMatMulOutputMode.RawScores or > QkMatMulOutputMode.AfterSoftmax)
        {
            throw new ArgumentOutOfRangeException(nameof(arguments.QkMatMulOutputMode), arguments.QkMatMulOutputMode,
                "Expected RawScores, AfterSoftcap, AfterMask or AfterSoftmax (ONNX modes 0 to 3).");
        }

        if (!float.IsFinite(arguments.Scale))
        {
            throw new ArgumentOutOfRangeException(nameof(arguments.Scale), arguments.Scale, "Scale must be finite; 0 means 1/sqrt(D).");
        }

        if (!float.IsFinite(arguments.Softcap) || arguments.Softcap < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(arguments.Softcap), arguments.Softcap, "Softcap must be 0 (off) or a positive finite number.");
        }

        return shape;
    }

    /// <summary>
    /// Right-aligns <see cref="ScaledDotProductAttentionArguments.MaskShape"/> against <c>[B, Hq, Sq, T]</c> (numpy
    /// broadcasting) and returns strides with 0 on broadcast axes. A last axis shorter than T masks the missing keys.
    /// </summary>
    private static MaskView BroadcastMask(scoped in ScaledDotProductAttentionArguments arguments, Shape shape)
    {
        bool additive = !arguments.AttentionMask.IsEmpty, boolean = !arguments.BooleanMask.IsEmpty;
        ReadOnlySpan<int> dims = arguments.MaskShape;
        if (additive && boolean)
        {
            throw new ArgumentException("Give at most one of AttentionMask and BooleanMask.", nameof(arguments.BooleanMask));
        }

        if (!additive && !boolean)
        {
            if (!dims.IsEmpty)
            {
                throw new ArgumentException("MaskShape is given but neither AttentionMask nor BooleanMask is.", nameof(arguments.MaskShape));
            }

            return default;
        }

        string maskName = additive ? nameof(arguments.AttentionMask) : nameof(arguments.BooleanMask);
        if (dims.Length is < 1 or > 4)
        {
            throw new ArgumentException($"MaskShape must have 1 to 4 dimensions for {maskName}, but has {dims.Length}.", nameof(arguments.MaskShape));
        }

        ReadOnlySpan<int> target = [shape.Batch, shape.Heads, shape.QueryLength, shape.Total];
        string targetText = $"[B, Hq, Sq, T] = [{shape.Batch}, {shape.Heads}, {shape.QueryLength}, {shape.Total}]";
        int last = dims[^1];
        int minimumLast = Math.Min(1, shape.Total);
        if (last < minimumLast || last > shape.Total)
        {
            throw new ArgumentException(
                $"MaskShape's last dimension must lie in [{minimumLast}, T = {shape.Total}] for {targetText}, but is {last}.", nameof(arguments.MaskShape));
        }

        // Strides of the mask as stored (dense, row-major), aligned to the target's axes; 0 where broadcast.
        Span<int> strides = stackalloc int[4];
        strides.Clear();
        long elements = last;
        for (int k = dims.Length - 2; k >= 0; k--)
        {
            int axis = 4 - dims.Length + k;
            int dim = dims[k];
            if (dim != 1 && dim != target[axis])
            {
                throw new ArgumentException(
                    $"MaskShape[{k}] = {dim} cannot broadcast to {targetText}: expected 1 or {target[axis]}.", nameof(arguments.MaskShape));
            }

            strides[axis] = dim == 1 ? 0 : (int)Math.Min(elements, int.MaxValue);
            elements *= dim;
        }

        int found = additive ? arguments.AttentionMask.Length : arguments.BooleanMask.Length;
        if (found != elements)
        {
            throw new ArgumentException(
                $"{maskName} must hold exactly {elements} elements for MaskShape [{string.Join(", ", dims.ToArray())}], but holds {found}.", maskName);
        }

        return new MaskView(strides[0], strides[1], strides[2], last);
    }

    /// <summary>
    /// Returns a view of past ++ new rows: written into <paramref name="present"/> when given, into pooled
    /// <paramref name="scratch"/> when only a past is given, else the new rows themselves in their own layout.
    /// </summary>
    private static View ConcatenateOrView(ReadOnlySpan<float> past, ReadOnlySpan<float> fresh, Span<float> present,
        AttentionLayout layout, Shape shape, int width, ref float[]? scratch)
    {
        if (present.IsEmpty && shape.Past == 0)
        {
            return View.For(layout, shape.Batch, shape.KvHeads, shape.NewKeys, width).WithData(fresh);
        }

        int total = shape.Total;
        Span<float> destination = present;
        if (destination.IsEmpty)
        {
            long elements = (long)shape.Batch * shape.KvHeads * total * width;
            if (elements > Array.MaxLength)
            {
                throw new ArgumentException($"Past and new rows together need {elements} elements, more than one array holds.", nameof(past));
            }

            int length = (int)elements;
            scratch = ArrayPool<float>.Shared.Rent(length);
            destination = scratch.AsSpan(0, length);
        }

        int pastBlock = shape.Past * width;
        int freshBlock = shape.NewKeys * width;
        for (int b = 0; b < shape.Batch; b++)
        {
            for (int h = 0; h < shape.KvHeads; h++)
            {
                int head = b * shape.KvHeads + h;
                Span<float> rows = destination.Slice(head * total * width, total * width);
                past.Slice(head * pastBlock, pastBlock).CopyTo(rows);
                if (layout == AttentionLayout.BatchHeadSequence)
                {
                    fresh.Slice(head * freshBlock, freshBlock).CopyTo(rows[pastBlock..]);
                }
                else
                {
                    // [B, S, Hkv·W]: row s of head h sits at (b·S + s)·Hkv·W + h·W.
                    for (int s = 0; s < shape.NewKeys; s++)
                    {
                        fresh.Slice(((b * shape.NewKeys + s) * shape.KvHeads + h) * width, width).CopyTo(rows[(pastBlock + s * width)..]);
                    }
                }
            }
        }

        return View.For(AttentionLayout.BatchHeadSequence, shape.Batch, shape.KvHeads, total, width).WithData(destination);
    }

    private static int NonNegative(int value, string name) =>
        value >= 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must not be negative.");

    private static void RequireExact(int found, string name, long expected, string shape)
    {
        if (found != expected)
        {
            throw new ArgumentException($"{name} must hold {expected} elements ({shape}), but holds {found}.", name);
        }
    }

    private static void RequireExactOrEmpty(int found, string name, long expected, string shape)
    {
        if (found != 0)
        {
            RequireExact(found, name, expected, shape);
        }
    }
}
