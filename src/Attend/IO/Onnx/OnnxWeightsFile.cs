using System;
using System.Buffers;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace Attend;

/// <summary>
/// The initializers of a validated ONNX model (<see cref="OnnxWeights.Open"/>, <see cref="OnnxWeights.Load(ReadOnlyMemory{byte})"/>),
/// memory-mapped or in memory. Every tensor it lists has as many values as its shape needs.
/// </summary>
/// <remarks>
/// Named initializers are listed under their names. The anonymous Linear weights of a PyTorch export
/// are listed only under their recovered <c>X.weight</c> names, shaped <c>[out, in]</c> like
/// <c>nn.Linear.weight</c> and transposed on read (see <see cref="RecoveredNames"/>). Reads are safe from
/// many threads; after <see cref="Dispose"/> the description still answers and reads throw
/// <see cref="ObjectDisposedException"/>.
/// </remarks>
public sealed class OnnxWeightsFile : IWeightSource, IDisposable
{
    private readonly TensorBytes _bytes;
    private readonly string _source;
    private readonly Dictionary<string, OnnxWeightEntry> _byName;
    private readonly ReadOnlyCollection<string> _names;
    private readonly ReadOnlyCollection<TensorInfo> _tensors;

    internal OnnxWeightsFile(TensorBytes bytes, IReadOnlyList<OnnxWeightEntry> entries, string source)
    {
        _bytes = bytes;
        _source = source;
        _byName = new Dictionary<string, OnnxWeightEntry>(entries.Count, StringComparer.Ordinal);
        var names = new string[entries.Count];
        var tensors = new TensorInfo[entries.Count];
        var recovered = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < entries.Count; i++)
        {
            OnnxWeightEntry entry = entries[i];
            _byName.Add(entry.Info.Name, entry);
            names[i] = entry.Info.Name;
            tensors[i] = entry.Info;
            if (!ReferenceEquals(entry.Info, entry.Stored.Info))
                recovered.Add(entry.Info.Name, entry.Stored.Info.Name);
        }
        _names = Array.AsReadOnly(names);
        _tensors = Array.AsReadOnly(tensors);
        RecoveredNames = new ReadOnlyDictionary<string, string>(recovered);
    }

    /// <summary>Tensor names in the file's initializer order.</summary>
    public IEnumerable<string> Names => _names;

    /// <summary>Every tensor's name, dtype and shape as listed (recovered Linear weights as <c>[out, in]</c>).</summary>
    public IReadOnlyList<TensorInfo> Tensors => _tensors;

    /// <summary>
    /// Each recovered name (<c>encoder.layer.0.attention.self.query.weight</c>) and the initializer it reads
    /// (<c>927</c>, <c>onnx::MatMul_788</c>). Recovered from the graph: a MatMul whose weight is an
    /// initializer and whose result is added to an initializer <c>X.bias</c> is <c>nn.Linear</c> <c>X</c>;
    /// so is a Gemm with bias <c>X.bias</c>. The stored names are not listed.
    /// </summary>
    public IReadOnlyDictionary<string, string> RecoveredNames { get; }

    /// <inheritdoc />
    /// <remarks>When this returns false, <paramref name="info"/> is null.</remarks>
    public bool TryGetInfo(string name, out TensorInfo info)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_byName.TryGetValue(name, out OnnxWeightEntry? entry))
        {
            info = entry.Info;
            return true;
        }
        info = null!;
        return false;
    }

    /// <summary>
    /// Copies a tensor into <paramref name="destination"/> as float32 (recovered Linear weights transposed
    /// to <c>[out, in]</c>): F16 and BF16 widen exactly, F64 rounds to nearest, integers and booleans convert by value.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No tensor is named <paramref name="name"/>; the message lists the nearest names.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not exactly the tensor's element count.</exception>
    /// <exception cref="ObjectDisposedException">The model has been disposed.</exception>
    public void ReadFloat32(string name, Span<float> destination)
    {
        OnnxWeightEntry entry = Find(name);
        long count = entry.Stored.ElementCount;
        if (destination.Length != count)
            throw new ArgumentException(
                $"destination holds {destination.Length} floats, but tensor '{name}' ({SafeTensorsDTypes.ToName(entry.Info.DType)} " +
                $"{entry.Info.ShapeText}) has {count} elements; pass a span of exactly {count}.",
                nameof(destination));
        CopyOut(entry, destination);
    }

    /// <summary>Reads a tensor into a new float32 array (see <see cref="ReadFloat32(string, Span{float})"/>).</summary>
    /// <exception cref="KeyNotFoundException">No tensor is named <paramref name="name"/>.</exception>
    /// <exception cref="ObjectDisposedException">The model has been disposed.</exception>
    public float[] ReadFloat32(string name)
    {
        OnnxWeightEntry entry = Find(name);
        // A tensor's bytes lie inside a file under 2 GiB, so its element count fits an array.
        var values = new float[entry.Stored.ElementCount];
        CopyOut(entry, values);
        return values;
    }

    /// <summary>Unmaps the file (for in-memory models, only refuses further reads). Idempotent.</summary>
    public void Dispose() => _bytes.Dispose();

    /// <summary>Names the source and its size, e.g. <c>ONNX file 'model.onnx' (101 tensors, 36 recovered names)</c>.</summary>
    public override string ToString() => $"ONNX {_source} ({_names.Count} tensors, {RecoveredNames.Count} recovered names)";

    private OnnxWeightEntry Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        ObjectDisposedException.ThrowIf(_bytes.IsDisposed, this);
        if (_byName.TryGetValue(name, out OnnxWeightEntry? entry))
            return entry;
        throw TensorNameSuggestions.Missing(name, _names, "ONNX " + _source);
    }

    private void CopyOut(OnnxWeightEntry entry, Span<float> destination)
    {
        TensorDType dtype = entry.Stored.Info.DType;
        _bytes.AddRef();
        try
        {
            ReadOnlySpan<byte> stored = entry.Stored.Bytes(_bytes);
            if (!entry.Transposed)
            {
                TensorConversions.ToFloat32(dtype, stored, destination);
                return;
            }
            float[] rented = ArrayPool<float>.Shared.Rent(destination.Length);
            try
            {
                Span<float> inOut = rented.AsSpan(0, destination.Length);
                TensorConversions.ToFloat32(dtype, stored, inOut);
                Transpose(inOut, (int)entry.Stored.Info.Shape[0], (int)entry.Stored.Info.Shape[1], destination);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(rented);
            }
        }
        finally
        {
            _bytes.Release();
        }
    }

    /// <summary>Writes the <paramref name="rows"/> × <paramref name="columns"/> matrix <paramref name="source"/> transposed.</summary>
    private static void Transpose(ReadOnlySpan<float> source, int rows, int columns, Span<float> destination)
    {
        // Blocked so both sides stay in cache on the large matrices (1536 × 384 and up) this runs on.
        const int Block = 32;
        for (int rowStart = 0; rowStart < rows; rowStart += Block)
        {
            int rowEnd = Math.Min(rows, rowStart + Block);
            for (int columnStart = 0; columnStart < columns; columnStart += Block)
            {
                int columnEnd = Math.Min(columns, columnStart + Block);
                for (int row = rowStart; row < rowEnd; row++)
                    for (int column = columnStart; column < columnEnd; column++)
                        destination[column * rows + row] = source[row * columns + column];
            }
        }
    }
}
