using System;
using Attend.Kernels;

namespace Attend;

/// <summary>
/// The keys and values a causal transformer stack has computed so far, per layer, so each decoding step attends to
/// the whole prefix while computing only the new token. Created with a fixed capacity (positions per sequence);
/// every sequence of the batch advances together. Call <see cref="Reset"/> to reuse it for the next sequences.
/// </summary>
/// <remarks>
/// <para>Layout per layer: keys and values are <c>[Batch, KvHeads, Capacity, DimHead]</c>, head-major, so the keys of
/// one head are contiguous and a decoding step streams each head's cache in one sequential read (a position-major
/// layout read each head with a stride of <c>KvHeads · DimHead</c>, which defeats the hardware prefetchers).</para>
/// <para><see cref="Precision"/> says how they are stored: 32-bit floats, or bfloat16 for half the bytes a decode
/// step reads (see <see cref="KvCachePrecision.BFloat16"/>).</para>
/// <para>A cache belongs to one generation at a time: it is not safe to use from several threads at once. The layer
/// that created it (<c>CreateKvCache</c>) checks that the shapes match before every use.</para>
/// </remarks>
public sealed class KvCache
{
    private readonly AlignedArray<float>[]? _keys;
    private readonly AlignedArray<float>[]? _values;
    private readonly AlignedArray<ushort>[]? _keyBits;
    private readonly AlignedArray<ushort>[]? _valueBits;

    /// <summary>Allocates a cache of 32-bit floats; prefer the generated layer's <c>CreateKvCache(batch, capacity)</c>, which fills in the shapes.</summary>
    /// <param name="layers">Number of layers.</param>
    /// <param name="batch">Number of sequences decoded together.</param>
    /// <param name="kvHeads">Key/value heads per layer.</param>
    /// <param name="dimHead">Width of one head.</param>
    /// <param name="capacity">Most positions per sequence (prompt and generated tokens together).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or the cache would exceed an array.</exception>
    public KvCache(int layers, int batch, int kvHeads, int dimHead, int capacity)
        : this(layers, batch, kvHeads, dimHead, capacity, KvCachePrecision.Float32)
    {
    }

    /// <summary>Allocates a cache; prefer the generated layer's <c>CreateKvCache(batch, capacity, precision)</c>, which fills in the shapes.</summary>
    /// <param name="layers">Number of layers.</param>
    /// <param name="batch">Number of sequences decoded together.</param>
    /// <param name="kvHeads">Key/value heads per layer.</param>
    /// <param name="dimHead">Width of one head.</param>
    /// <param name="capacity">Most positions per sequence (prompt and generated tokens together).</param>
    /// <param name="precision">How keys and values are stored.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, the cache would exceed an array, or the precision is unknown.</exception>
    public KvCache(int layers, int batch, int kvHeads, int dimHead, int capacity, KvCachePrecision precision)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kvHeads);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimHead);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        if (precision is not (KvCachePrecision.Float32 or KvCachePrecision.BFloat16))
        {
            throw new ArgumentOutOfRangeException(nameof(precision), precision, "Expected KvCachePrecision.Float32 or KvCachePrecision.BFloat16.");
        }

        long perLayer = (long)batch * capacity * kvHeads * dimHead;
        if (perLayer > Array.MaxLength - AlignedArray<float>.Padding)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"batch × capacity × kvHeads × dimHead = {perLayer} values per layer is more than one array holds; lower the capacity or the batch.");
        }

        Layers = layers;
        Batch = batch;
        KvHeads = kvHeads;
        DimHead = dimHead;
        Capacity = capacity;
        Precision = precision;
        if (precision == KvCachePrecision.BFloat16)
        {
            _keyBits = Allocate<ushort>(layers, perLayer);
            _valueBits = Allocate<ushort>(layers, perLayer);
        }
        else
        {
            _keys = Allocate<float>(layers, perLayer);
            _values = Allocate<float>(layers, perLayer);
        }
    }

    /// <summary>Number of layers.</summary>
    public int Layers { get; }

    /// <summary>Number of sequences.</summary>
    public int Batch { get; }

    /// <summary>Key/value heads per layer.</summary>
    public int KvHeads { get; }

    /// <summary>Width of one head.</summary>
    public int DimHead { get; }

    /// <summary>Most positions per sequence.</summary>
    public int Capacity { get; }

    /// <summary>How keys and values are stored.</summary>
    public KvCachePrecision Precision { get; }

    /// <summary>Positions filled so far in every sequence.</summary>
    public int Length { get; private set; }

    /// <summary>Values per cached position of one sequence and layer: <c>KvHeads · DimHead</c>.</summary>
    public int RowWidth => KvHeads * DimHead;

    /// <summary>Bytes the keys and values of every layer occupy: what a decode step over a full cache reads.</summary>
    public long Bytes => 2L * Layers * Batch * KvHeads * Capacity * DimHead * (Precision == KvCachePrecision.BFloat16 ? sizeof(ushort) : sizeof(float));

    /// <summary>Elements between the first positions of consecutive heads of one sequence: <c>Capacity · DimHead</c>.</summary>
    internal int HeadStride => Capacity * DimHead;

    /// <summary>Empties the cache for new sequences (the memory is kept and overwritten).</summary>
    public void Reset() => Length = 0;

    /// <summary>Layer <paramref name="layer"/>'s keys, <c>[Batch, KvHeads, Capacity, DimHead]</c>; positions from <see cref="Length"/> on hold stale data.</summary>
    /// <exception cref="InvalidOperationException">The cache stores bfloat16, not floats.</exception>
    public Span<float> Keys(int layer) => Floats(_keys, layer);

    /// <summary>Layer <paramref name="layer"/>'s values, <c>[Batch, KvHeads, Capacity, DimHead]</c>.</summary>
    /// <exception cref="InvalidOperationException">The cache stores bfloat16, not floats.</exception>
    public Span<float> Values(int layer) => Floats(_values, layer);

    /// <summary>Layer <paramref name="layer"/>'s keys as bfloat16 bits, laid out as <see cref="Keys"/>; empty for a float cache.</summary>
    internal Span<ushort> KeyBits(int layer) => _keyBits is null ? [] : _keyBits[CheckLayer(layer)].Span;

    /// <summary>Layer <paramref name="layer"/>'s values as bfloat16 bits; empty for a float cache.</summary>
    internal Span<ushort> ValueBits(int layer) => _valueBits is null ? [] : _valueBits[CheckLayer(layer)].Span;

    /// <summary>
    /// Throws unless <paramref name="count"/> more positions fit: what a generated <c>Forward</c> checks before it
    /// touches anything.
    /// </summary>
    /// <exception cref="ArgumentException">The cache is full.</exception>
    public void EnsureRoom(int count)
    {
        if ((long)Length + count > Capacity)
        {
            throw new ArgumentException($"The KV cache holds {Length} of {Capacity} positions; {count} more do not fit. Create it with a larger capacity or call Reset() for new sequences.", "cache");
        }
    }

    /// <summary>
    /// Writes the keys and values of <paramref name="count"/> new positions per sequence at positions
    /// <c>[Length, Length + count)</c> of layer <paramref name="layer"/>, from projected rows <c>[Batch, count, rowStride]</c>
    /// whose keys start at column <paramref name="keyColumn"/> and values at <paramref name="valueColumn"/> (heads side
    /// by side), rounding them to bfloat16 for a <see cref="KvCachePrecision.BFloat16"/> cache.
    /// <see cref="Length"/> moves only with <see cref="Advance"/>, once every layer has stored its rows.
    /// </summary>
    /// <exception cref="ArgumentException">The positions do not fit, or the rows are too short.</exception>
    public void Store(int layer, ReadOnlySpan<float> rows, int count, int rowStride, int keyColumn, int valueColumn) =>
        Store(layer, rows, count, rowStride, keyColumn, valueColumn, 0, Batch);

    /// <summary>
    /// <see cref="Store(int, ReadOnlySpan{float}, int, int, int, int)"/> for <paramref name="sequences"/> sequences starting
    /// at <paramref name="firstSequence"/>, from rows <c>[sequences, count, rowStride]</c>: how a stack stores disjoint ranges
    /// of one batch from different threads. <see cref="Length"/> still moves only with <see cref="Advance"/>.
    /// </summary>
    /// <exception cref="ArgumentException">As the other overload, or the range does not lie inside <see cref="Batch"/>.</exception>
    public void Store(int layer, ReadOnlySpan<float> rows, int count, int rowStride, int keyColumn, int valueColumn, int firstSequence, int sequences)
    {
        CheckLayer(layer);
        if (firstSequence < 0 || sequences < 0 || (long)firstSequence + sequences > Batch)
        {
            throw new ArgumentOutOfRangeException(nameof(sequences), sequences, $"Sequences [{firstSequence}, {(long)firstSequence + sequences}) must lie inside the cache's batch [0, {Batch}).");
        }

        EnsureRoom(count);
        int width = RowWidth;
        if (keyColumn < 0 || valueColumn < 0 || keyColumn + width > rowStride || valueColumn + width > rowStride)
        {
            throw new ArgumentOutOfRangeException(nameof(rowStride), rowStride, $"Keys at column {keyColumn} and values at column {valueColumn}, {width} wide, must fit in rows of {rowStride}.");
        }

        if (rows.Length < (long)sequences * count * rowStride)
        {
            string rowCount = sequences == Batch ? "Batch" : "sequences";
            throw new ArgumentException($"rows must hold {rowCount} × count × rowStride = {sequences} × {count} × {rowStride} floats; it holds {rows.Length}.", nameof(rows));
        }

        for (int b = 0; b < sequences; b++)
        {
            for (int t = 0; t < count; t++)
            {
                ReadOnlySpan<float> row = rows.Slice((b * count + t) * rowStride, rowStride);
                for (int h = 0; h < KvHeads; h++)
                {
                    int destination = (((firstSequence + b) * KvHeads + h) * Capacity + Length + t) * DimHead;
                    ReadOnlySpan<float> key = row.Slice(keyColumn + h * DimHead, DimHead);
                    ReadOnlySpan<float> value = row.Slice(valueColumn + h * DimHead, DimHead);
                    if (_keyBits is not null)
                    {
                        BFloat16.Round(key, _keyBits[layer].Span.Slice(destination, DimHead));
                        BFloat16.Round(value, _valueBits![layer].Span.Slice(destination, DimHead));
                    }
                    else
                    {
                        key.CopyTo(_keys![layer].Span.Slice(destination, DimHead));
                        value.CopyTo(_values![layer].Span.Slice(destination, DimHead));
                    }
                }
            }
        }
    }

    /// <summary>Marks <paramref name="count"/> more positions as filled, after every layer has stored them.</summary>
    /// <exception cref="ArgumentException">They do not fit.</exception>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        EnsureRoom(count);
        Length += count;
    }

    private static AlignedArray<T>[] Allocate<T>(int layers, long perLayer)
        where T : unmanaged
    {
        var arrays = new AlignedArray<T>[layers];
        for (int i = 0; i < layers; i++)
        {
            arrays[i] = new AlignedArray<T>((int)perLayer);
        }

        return arrays;
    }

    private Span<float> Floats(AlignedArray<float>[]? arrays, int layer)
    {
        CheckLayer(layer);
        return arrays is null
            ? throw new InvalidOperationException("This cache stores bfloat16 (KvCachePrecision.BFloat16), not floats.")
            : arrays[layer].Span;
    }

    private int CheckLayer(int layer)
    {
        if ((uint)layer >= (uint)Layers) throw new ArgumentOutOfRangeException(nameof(layer), layer, $"layer must lie in [0, {Layers}).");
        return layer;
    }
}
