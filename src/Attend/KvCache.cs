using System;

namespace Attend;

/// <summary>
/// The keys and values a causal transformer stack has computed so far, per layer, so each decoding step attends to
/// the whole prefix while computing only the new token. Created with a fixed capacity (positions per sequence);
/// every sequence of the batch advances together. Call <see cref="Reset"/> to reuse it for the next sequences.
/// </summary>
/// <remarks>
/// <para>Layout per layer: keys and values are <c>[Batch, Capacity, KvHeads · DimHead]</c>, position-major, so a
/// decoding step appends one row per sequence and the attention kernel reads each head in place.</para>
/// <para>A cache belongs to one generation at a time: it is not safe to use from several threads at once. The layer
/// that created it (<c>CreateKvCache</c>) checks that the shapes match before every use.</para>
/// </remarks>
public sealed class KvCache
{
    private readonly float[][] _keys;
    private readonly float[][] _values;

    /// <summary>Allocates a cache; prefer the generated layer's <c>CreateKvCache(batch, capacity)</c>, which fills in the shapes.</summary>
    /// <param name="layers">Number of layers.</param>
    /// <param name="batch">Number of sequences decoded together.</param>
    /// <param name="kvHeads">Key/value heads per layer.</param>
    /// <param name="dimHead">Width of one head.</param>
    /// <param name="capacity">Most positions per sequence (prompt and generated tokens together).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or the cache would exceed an array.</exception>
    public KvCache(int layers, int batch, int kvHeads, int dimHead, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kvHeads);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimHead);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        long perLayer = (long)batch * capacity * kvHeads * dimHead;
        if (perLayer > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"batch × capacity × kvHeads × dimHead = {perLayer} floats per layer is more than one array holds; lower the capacity or the batch.");
        }

        Layers = layers;
        Batch = batch;
        KvHeads = kvHeads;
        DimHead = dimHead;
        Capacity = capacity;
        _keys = new float[layers][];
        _values = new float[layers][];
        for (int i = 0; i < layers; i++)
        {
            _keys[i] = new float[perLayer];
            _values[i] = new float[perLayer];
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

    /// <summary>Positions filled so far in every sequence.</summary>
    public int Length { get; private set; }

    /// <summary>Floats per cached position of one sequence and layer: <c>KvHeads · DimHead</c>.</summary>
    public int RowWidth => KvHeads * DimHead;

    /// <summary>Empties the cache for new sequences (the memory is kept and overwritten).</summary>
    public void Reset() => Length = 0;

    /// <summary>Layer <paramref name="layer"/>'s keys, <c>[Batch, Capacity, KvHeads · DimHead]</c>; positions from <see cref="Length"/> on hold stale data.</summary>
    public Span<float> Keys(int layer) => _keys[CheckLayer(layer)];

    /// <summary>Layer <paramref name="layer"/>'s values, <c>[Batch, Capacity, KvHeads · DimHead]</c>.</summary>
    public Span<float> Values(int layer) => _values[CheckLayer(layer)];

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
    /// whose keys start at column <paramref name="keyColumn"/> and values at <paramref name="valueColumn"/>.
    /// <see cref="Length"/> moves only with <see cref="Advance"/>, once every layer has stored its rows.
    /// </summary>
    /// <exception cref="ArgumentException">The positions do not fit, or the rows are too short.</exception>
    public void Store(int layer, ReadOnlySpan<float> rows, int count, int rowStride, int keyColumn, int valueColumn)
    {
        CheckLayer(layer);
        EnsureRoom(count);
        int width = RowWidth;
        if (keyColumn < 0 || valueColumn < 0 || keyColumn + width > rowStride || valueColumn + width > rowStride)
        {
            throw new ArgumentOutOfRangeException(nameof(rowStride), rowStride, $"Keys at column {keyColumn} and values at column {valueColumn}, {width} wide, must fit in rows of {rowStride}.");
        }

        if (rows.Length < (long)Batch * count * rowStride)
        {
            throw new ArgumentException($"rows must hold Batch × count × rowStride = {Batch} × {count} × {rowStride} floats; it holds {rows.Length}.", nameof(rows));
        }

        Span<float> keys = _keys[layer];
        Span<float> values = _values[layer];
        for (int b = 0; b < Batch; b++)
        {
            for (int t = 0; t < count; t++)
            {
                ReadOnlySpan<float> row = rows.Slice((b * count + t) * rowStride, rowStride);
                int destination = (b * Capacity + Length + t) * width;
                row.Slice(keyColumn, width).CopyTo(keys.Slice(destination, width));
                row.Slice(valueColumn, width).CopyTo(values.Slice(destination, width));
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

    private int CheckLayer(int layer)
    {
        if ((uint)layer >= (uint)Layers) throw new ArgumentOutOfRangeException(nameof(layer), layer, $"layer must lie in [0, {Layers}).");
        return layer;
    }
}
