using System;

namespace Attend.Kernels;

/// <summary>
/// A growable float buffer on the pinned object heap, its start aligned to 64 bytes (a cache line, one Vector512), so
/// kernels address it through a stable pointer without <c>fixed</c>. It only grows; once large enough, using it
/// allocates nothing.
/// </summary>
internal sealed unsafe class PinnedBuffer
{
    private const int AlignmentFloats = 16;
    private float[] _array = [];
    private float* _start;
    private int _length;

    /// <summary>The first <paramref name="length"/> floats, growing (contents lost) when shorter.</summary>
    public float* Get(int length)
    {
        if (length > _length)
        {
            int grown = (int)Math.Min(Array.MaxLength - AlignmentFloats, Math.Max(length, (long)_length * 3 / 2));
            _array = GC.AllocateUninitializedArray<float>(grown + AlignmentFloats, pinned: true);
            fixed (float* raw = _array)
            {
                _start = (float*)(((nint)raw + (AlignmentFloats * sizeof(float) - 1)) & ~(nint)(AlignmentFloats * sizeof(float) - 1));
            }

            _length = grown;
        }

        return _start;
    }
}

/// <summary>
/// One thread's working memory for the attention kernels: the query, score and accumulator tiles (per thread, so
/// workers never share them) and, for the calls this thread makes, the packed keys and values its workers share. Sizes follow the largest
/// problem seen; nothing is allocated once warm.
/// </summary>
internal sealed class AttentionScratch
{
    [ThreadStatic]
    private static AttentionScratch? t_current;

    /// <summary>This thread's scratch.</summary>
    public static AttentionScratch Current => t_current ??= new AttentionScratch();

    /// <summary>
    /// The keys of a group of (batch, key/value head) pairs transposed into blocks by <see cref="IAttentionHeadKernels.PackKeys"/>,
    /// owned by the thread that called the attention and read by every worker of that call.
    /// </summary>
    public PinnedBuffer SharedKeys { get; } = new();

    /// <summary>The value rows of the same pairs copied densely, <c>[pairs, keys, ValueDimHead]</c>.</summary>
    public PinnedBuffer SharedValues { get; } = new();

    /// <summary>The scaled query rows of a block, <c>[rows, DimHead]</c>.</summary>
    public PinnedBuffer Queries { get; } = new();

    /// <summary>A score tile, or one row of scores.</summary>
    public PinnedBuffer Scores { get; } = new();

    /// <summary>The output accumulators of a block, <c>[rows, ValueDimHead]</c>.</summary>
    public PinnedBuffer Accumulators { get; } = new();

    /// <summary>Per-row running maxima, sums and rescale factors of a block.</summary>
    public PinnedBuffer RowState { get; } = new();

    /// <summary>Partial results of the split-key path (owned by the calling thread).</summary>
    public PinnedBuffer Partials { get; } = new();

    /// <summary>A bfloat16 KV cache's past keys widened to floats for a prefill's tiled kernels (owned by the calling thread).</summary>
    public PinnedBuffer WidenedKeys { get; } = new();

    /// <summary>The past values widened with <see cref="WidenedKeys"/>.</summary>
    public PinnedBuffer WidenedValues { get; } = new();
}
