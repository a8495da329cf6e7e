using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Attend.Kernels;

/// <summary>
/// Rotary position embedding (RoPE) as the ONNX <c>RotaryEmbedding</c> operator (opset 23) defines it: the first
/// <c>rotaryDim</c> features of each head are split into pairs <c>(x1, x2)</c> and rotated by the position's angle,
/// <c>(x1·cos − x2·sin, x2·cos + x1·sin)</c>; the remaining features pass through.
/// </summary>
/// <remarks>
/// <para>Half-split (GPT-NeoX, <c>interleaved = 0</c>): pair <c>i</c> is <c>(x[i], x[i + rotaryDim/2])</c>.
/// Interleaved (GPT-J, <c>interleaved = 1</c>): pair <c>i</c> is <c>(x[2i], x[2i + 1])</c>.</para>
/// <para>Pair <c>i</c> at position <c>p</c> turns by <c>p · θ^(−2i/rotaryDim)</c>; <see cref="Angles"/> computes the
/// cosines and sines in float32 the way PyTorch implementations do (<c>inv_freq = 1 / θ^(2i/d)</c>, then <c>p · inv_freq</c>).</para>
/// </remarks>
public static class RotaryEmbedding
{
    /// <summary>The usual base θ of the rotation frequencies.</summary>
    public const float DefaultBase = 10000f;

    /// <summary>
    /// Fills <paramref name="cos"/> and <paramref name="sin"/> (<c>rotaryDim / 2</c> floats each) for one position:
    /// <c>angle_i = position · (1 / θ^(2i / rotaryDim))</c>, in float32.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="rotaryDim"/> is not a positive even number or a span is not <c>rotaryDim / 2</c> long.</exception>
    public static void Angles(int position, int rotaryDim, float theta, Span<float> cos, Span<float> sin)
    {
        RequireRotaryDim(rotaryDim, int.MaxValue);
        int half = rotaryDim / 2;
        SpanChecks.Exact(cos.Length, half, nameof(cos), "rotaryDim / 2");
        SpanChecks.Exact(sin.Length, half, nameof(sin), "rotaryDim / 2");
        for (int i = 0; i < half; i++)
        {
            float inverseFrequency = 1f / MathF.Pow(theta, (float)(2 * i) / rotaryDim);
            float angle = position * inverseFrequency;
            cos[i] = MathF.Cos(angle);
            sin[i] = MathF.Sin(angle);
        }
    }

    /// <summary>
    /// Rotates, in place, the first <paramref name="rotaryDim"/> features of each of <paramref name="heads"/> heads of one
    /// token (head <c>h</c> starts at <c>h · headStride</c>), all at the position whose cosines and sines are given.
    /// </summary>
    /// <param name="path">The instruction-set path.</param>
    /// <param name="token">The token's heads; at least <c>(heads − 1) · headStride + dimHead</c> floats.</param>
    /// <param name="heads">Number of heads to rotate.</param>
    /// <param name="headStride">Floats between consecutive heads, at least <paramref name="dimHead"/>.</param>
    /// <param name="dimHead">Features per head.</param>
    /// <param name="rotaryDim">Rotated features per head: even, at most <paramref name="dimHead"/>.</param>
    /// <param name="interleaved">Pairs are adjacent features (true) or the two halves (false).</param>
    /// <param name="cos">At least <c>rotaryDim / 2</c> cosines; the first <c>rotaryDim / 2</c> are used.</param>
    /// <param name="sin">At least <c>rotaryDim / 2</c> sines.</param>
    /// <exception cref="ArgumentException">A size or span length is out of range.</exception>
    public static void Rotate(KernelPath path, Span<float> token, int heads, int headStride, int dimHead, int rotaryDim, bool interleaved,
        ReadOnlySpan<float> cos, ReadOnlySpan<float> sin)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(heads);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimHead);
        ArgumentOutOfRangeException.ThrowIfLessThan(headStride, dimHead);
        RequireRotaryDim(rotaryDim, dimHead);
        long needed = (long)(heads - 1) * headStride + dimHead;
        if (token.Length < needed) throw new ArgumentException($"token must hold at least (heads − 1) · headStride + dimHead = {needed} floats; it holds {token.Length}.", nameof(token));
        if (cos.Length < rotaryDim / 2) throw new ArgumentException($"cos must hold at least rotaryDim / 2 = {rotaryDim / 2} floats; it holds {cos.Length}.", nameof(cos));
        if (sin.Length < rotaryDim / 2) throw new ArgumentException($"sin must hold at least rotaryDim / 2 = {rotaryDim / 2} floats; it holds {sin.Length}.", nameof(sin));
        RotateHeads(KernelPaths.Resolve(path), token, heads, headStride, rotaryDim, interleaved, cos[..(rotaryDim / 2)], sin[..(rotaryDim / 2)]);
    }

    /// <summary>
    /// The ONNX <c>RotaryEmbedding</c> operator over a whole tensor.
    /// </summary>
    /// <param name="path">The instruction-set path.</param>
    /// <param name="input"><c>[batch, heads, sequenceLength, dimHead]</c> when <paramref name="headsBeforeSequence"/>, else <c>[batch, sequenceLength, heads · dimHead]</c> (ONNX's 3-D form).</param>
    /// <param name="output">Same shape as <paramref name="input"/>; may be <paramref name="input"/> itself.</param>
    /// <param name="batch">Batch size.</param>
    /// <param name="heads">Number of heads (ONNX <c>num_heads</c> for 3-D input).</param>
    /// <param name="sequenceLength">Tokens per sequence.</param>
    /// <param name="dimHead">Features per head.</param>
    /// <param name="headsBeforeSequence">Whether the input is the 4-D <c>[batch, heads, sequence, dimHead]</c> layout.</param>
    /// <param name="cosCache"><c>[maxPosition, cacheWidth]</c> with <paramref name="positionIds"/>, else <c>[batch, sequenceLength, cacheWidth]</c>.</param>
    /// <param name="sinCache">Same shape as <paramref name="cosCache"/>.</param>
    /// <param name="cacheWidth">Floats per cache row, at least <c>rotaryDim / 2</c>.</param>
    /// <param name="positionIds">Optional <c>[batch, sequenceLength]</c> rows of the caches; empty means the caches are per token.</param>
    /// <param name="rotaryDim">Rotated features per head (ONNX <c>rotary_embedding_dim</c>); 0 means <paramref name="dimHead"/>.</param>
    /// <param name="interleaved">ONNX <c>interleaved</c>.</param>
    /// <exception cref="ArgumentException">A size, span length or position id is out of range.</exception>
    public static void Onnx(KernelPath path, ReadOnlySpan<float> input, Span<float> output, int batch, int heads, int sequenceLength, int dimHead,
        bool headsBeforeSequence, ReadOnlySpan<float> cosCache, ReadOnlySpan<float> sinCache, int cacheWidth, ReadOnlySpan<long> positionIds,
        int rotaryDim, bool interleaved)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(heads);
        ArgumentOutOfRangeException.ThrowIfNegative(sequenceLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimHead);
        rotaryDim = rotaryDim == 0 ? dimHead : rotaryDim;
        RequireRotaryDim(rotaryDim, dimHead);
        if (cacheWidth < rotaryDim / 2) throw new ArgumentOutOfRangeException(nameof(cacheWidth), cacheWidth, $"cacheWidth must be at least rotaryDim / 2 = {rotaryDim / 2}.");
        long total = (long)batch * heads * sequenceLength * dimHead;
        SpanChecks.Exact(input.Length, total, nameof(input), $"batch × heads × sequenceLength × dimHead = {batch} × {heads} × {sequenceLength} × {dimHead}");
        SpanChecks.Exact(output.Length, total, nameof(output), $"batch × heads × sequenceLength × dimHead = {batch} × {heads} × {sequenceLength} × {dimHead}");
        SpanChecks.SameOrDisjoint(input, output, nameof(input), nameof(output));
        SpanChecks.ExactOrEmpty(positionIds.Length, (long)batch * sequenceLength, nameof(positionIds), "batch × sequenceLength");
        if (cosCache.Length % cacheWidth != 0 || cosCache.Length != sinCache.Length)
        {
            throw new ArgumentException($"cosCache and sinCache must both be [rows, cacheWidth = {cacheWidth}]; they hold {cosCache.Length} and {sinCache.Length} floats.", nameof(cosCache));
        }

        long cacheRows = cosCache.Length / cacheWidth;
        if (positionIds.IsEmpty && cacheRows != (long)batch * sequenceLength)
        {
            throw new ArgumentException($"Without positionIds the caches are [batch, sequenceLength, cacheWidth] = {batch} × {sequenceLength} × {cacheWidth}; they hold {cosCache.Length} floats.", nameof(cosCache));
        }

        foreach (long id in positionIds)
        {
            if (id < 0 || id >= cacheRows) throw new ArgumentOutOfRangeException(nameof(positionIds), id, $"Position ids must lie in [0, {cacheRows}), the rows of the caches.");
        }

        if (!input.Overlaps(output)) input.CopyTo(output);
        KernelPath resolved = KernelPaths.Resolve(path);
        int half = rotaryDim / 2;
        int headStride = headsBeforeSequence ? sequenceLength * dimHead : dimHead;
        int tokenStride = headsBeforeSequence ? dimHead : heads * dimHead;
        for (int b = 0; b < batch; b++)
        {
            for (int s = 0; s < sequenceLength; s++)
            {
                long row = positionIds.IsEmpty ? (long)b * sequenceLength + s : positionIds[b * sequenceLength + s];
                ReadOnlySpan<float> cos = cosCache.Slice((int)(row * cacheWidth), half);
                ReadOnlySpan<float> sin = sinCache.Slice((int)(row * cacheWidth), half);
                int start = b * heads * sequenceLength * dimHead + s * tokenStride;
                RotateHeads(resolved, output[start..], heads, headStride, rotaryDim, interleaved, cos, sin);
            }
        }
    }

    private static void RequireRotaryDim(int rotaryDim, int dimHead)
    {
        if (rotaryDim <= 0 || rotaryDim % 2 != 0 || rotaryDim > dimHead)
        {
            throw new ArgumentOutOfRangeException(nameof(rotaryDim), rotaryDim, $"rotaryDim must be a positive even number no larger than dimHead ({dimHead}).");
        }
    }

    private static void RotateHeads(KernelPath path, Span<float> token, int heads, int headStride, int rotaryDim, bool interleaved,
        ReadOnlySpan<float> cos, ReadOnlySpan<float> sin)
    {
        switch (path)
        {
            case KernelPath.Vector512: RotateHeads<Lanes512, Vector512<float>>(token, heads, headStride, rotaryDim, interleaved, cos, sin); break;
            case KernelPath.Vector256: RotateHeads<Lanes256, Vector256<float>>(token, heads, headStride, rotaryDim, interleaved, cos, sin); break;
            case KernelPath.Vector128: RotateHeads<Lanes128, Vector128<float>>(token, heads, headStride, rotaryDim, interleaved, cos, sin); break;
            default: RotateHeads<ScalarLanes, float>(token, heads, headStride, rotaryDim, interleaved, cos, sin); break;
        }
    }

    private static void RotateHeads<TLanes, TVector>(Span<float> token, int heads, int headStride, int rotaryDim, bool interleaved,
        ReadOnlySpan<float> cos, ReadOnlySpan<float> sin)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct
    {
        ref float c = ref MemoryMarshal.GetReference(cos);
        ref float s = ref MemoryMarshal.GetReference(sin);
        int half = rotaryDim / 2;
        if (!interleaved)
        {
            for (int h = 0; h < heads; h++)
            {
                ref float x1 = ref MemoryMarshal.GetReference(token.Slice(h * headStride, rotaryDim));
                ref float x2 = ref Unsafe.Add(ref x1, half);
                int i = 0;
                for (; i <= half - TLanes.Count; i += TLanes.Count)
                {
                    TVector a = TLanes.Load(ref x1, (nuint)i), b = TLanes.Load(ref x2, (nuint)i);
                    TVector cv = TLanes.Load(ref c, (nuint)i), sv = TLanes.Load(ref s, (nuint)i);
                    TLanes.Store(TLanes.Subtract(TLanes.Multiply(a, cv), TLanes.Multiply(b, sv)), ref x1, (nuint)i);
                    TLanes.Store(TLanes.Add(TLanes.Multiply(b, cv), TLanes.Multiply(a, sv)), ref x2, (nuint)i);
                }

                for (; i < half; i++) RotatePair(ref Unsafe.Add(ref x1, i), ref Unsafe.Add(ref x2, i), Unsafe.Add(ref c, i), Unsafe.Add(ref s, i));
            }

            return;
        }

        if (TLanes.Count == 1 || rotaryDim < TLanes.Count)
        {
            for (int h = 0; h < heads; h++)
            {
                ref float x = ref MemoryMarshal.GetReference(token.Slice(h * headStride, rotaryDim));
                for (int i = 0; i < half; i++) RotatePair(ref Unsafe.Add(ref x, 2 * i), ref Unsafe.Add(ref x, 2 * i + 1), Unsafe.Add(ref c, i), Unsafe.Add(ref s, i));
            }

            return;
        }

        // Interleaved pairs sit side by side, so each register holds whole pairs: with cosines repeated per pair and
        // sines signed (−s, +s), y = x·C + swap(x)·S turns every pair at once. The tables are built once per token.
        Span<float> tables = rotaryDim <= 256 ? stackalloc float[2 * rotaryDim] : new float[2 * rotaryDim];
        Span<float> pairCos = tables[..rotaryDim];
        Span<float> pairSin = tables[rotaryDim..];
        for (int i = 0; i < half; i++)
        {
            pairCos[2 * i] = pairCos[2 * i + 1] = cos[i];
            pairSin[2 * i] = -sin[i];
            pairSin[2 * i + 1] = sin[i];
        }

        ref float pc = ref MemoryMarshal.GetReference(pairCos);
        ref float ps = ref MemoryMarshal.GetReference(pairSin);
        for (int h = 0; h < heads; h++)
        {
            ref float x = ref MemoryMarshal.GetReference(token.Slice(h * headStride, rotaryDim));
            int i = 0;
            for (; i <= rotaryDim - TLanes.Count; i += TLanes.Count)
            {
                TVector v = TLanes.Load(ref x, (nuint)i);
                TVector rotated = TLanes.Add(TLanes.Multiply(v, TLanes.Load(ref pc, (nuint)i)), TLanes.Multiply(TLanes.SwapPairs(v), TLanes.Load(ref ps, (nuint)i)));
                TLanes.Store(rotated, ref x, (nuint)i);
            }

            // Registers hold an even number of floats, so the remainder is whole pairs.
            for (; i < rotaryDim; i += 2) RotatePair(ref Unsafe.Add(ref x, i), ref Unsafe.Add(ref x, i + 1), Unsafe.Add(ref c, i / 2), Unsafe.Add(ref s, i / 2));
        }
    }

    private static void RotatePair(ref float x1, ref float x2, float cos, float sin)
    {
        float a = x1, b = x2;
        x1 = a * cos - b * sin;
        x2 = b * cos + a * sin;
    }
}
