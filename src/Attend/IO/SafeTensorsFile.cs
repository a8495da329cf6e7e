using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;

namespace Attend;

/// <summary>
/// A validated safetensors file, memory-mapped (<see cref="SafeTensors.Open"/>) or in memory
/// (<see cref="SafeTensors.Load"/>, <see cref="SafeTensors.Parse"/>). Every tensor it lists lies inside
/// the file and has as many bytes as its shape needs, so reads fail only for caller errors.
/// </summary>
/// <remarks>
/// Reads are safe from many threads at once. <see cref="Dispose"/> releases the mapping; after it,
/// the description (<see cref="Names"/>, <see cref="Tensors"/>, <see cref="Metadata"/>,
/// <see cref="TryGetInfo"/>) still answers, and every read of tensor bytes throws
/// <see cref="ObjectDisposedException"/>. There is deliberately no finalizer: spans from
/// <see cref="GetBytes"/> point into the mapping, so it is released only by an explicit
/// <see cref="Dispose"/> (a file never disposed stays mapped until the process exits).
/// </remarks>
public sealed class SafeTensorsFile : IWeightSource, IDisposable
{
    /// <summary>Tensors convert in chunks this size so a chunk's byte length always fits an int.</summary>
    private const int ChunkElements = 1 << 24;

    private readonly TensorBytes _bytes;
    private readonly string _source;
    private readonly Dictionary<string, SafeTensorsEntry> _byName;
    private readonly ReadOnlyCollection<string> _names;
    private readonly ReadOnlyCollection<TensorInfo> _tensors;

    private delegate void ChunkConverter<T>(TensorDType dtype, ReadOnlySpan<byte> source, Span<T> destination);

    internal SafeTensorsFile(TensorBytes bytes, SafeTensorsHeader header, string source)
    {
        _bytes = bytes;
        _source = source;
        Metadata = header.Metadata;
        _byName = new Dictionary<string, SafeTensorsEntry>(header.Entries.Count, StringComparer.Ordinal);
        var names = new string[header.Entries.Count];
        var tensors = new TensorInfo[header.Entries.Count];
        for (int i = 0; i < names.Length; i++)
        {
            SafeTensorsEntry entry = header.Entries[i];
            _byName.Add(entry.Info.Name, entry);
            names[i] = entry.Info.Name;
            tensors[i] = entry.Info;
        }
        _names = Array.AsReadOnly(names);
        _tensors = Array.AsReadOnly(tensors);
    }

    /// <summary>Tensor names in header order.</summary>
    public IEnumerable<string> Names => _names;

    /// <summary>Every tensor's name, dtype and shape, in header order.</summary>
    public IReadOnlyList<TensorInfo> Tensors => _tensors;

    /// <summary>The header's <c>__metadata__</c> strings; empty when it has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <inheritdoc />
    /// <remarks>When this returns false, <paramref name="info"/> is null.</remarks>
    public bool TryGetInfo(string name, out TensorInfo info)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_byName.TryGetValue(name, out SafeTensorsEntry? entry))
        {
            info = entry.Info;
            return true;
        }
        info = null!;
        return false;
    }

    /// <summary>
    /// Copies a tensor into <paramref name="destination"/> as float32: F16 and BF16 widen exactly,
    /// F64 rounds to nearest, integers and booleans convert by value.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No tensor is named <paramref name="name"/>; the message lists the nearest names.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not exactly the tensor's element count.</exception>
    /// <exception cref="ObjectDisposedException">The file has been disposed.</exception>
    public void ReadFloat32(string name, Span<float> destination)
    {
        SafeTensorsEntry entry = Find(name);
        if (destination.Length != entry.ElementCount)
            throw new ArgumentException(
                $"destination holds {destination.Length} floats, but tensor '{name}' ({SafeTensorsDTypes.ToName(entry.Info.DType)} " +
                $"{entry.Info.ShapeText}) has {entry.ElementCount} elements; pass a span of exactly {entry.ElementCount}.",
                nameof(destination));
        CopyOut(entry, destination, TensorConversions.ToFloat32);
    }

    /// <summary>Reads a tensor into a new float32 array (see <see cref="ReadFloat32(string, Span{float})"/>).</summary>
    /// <exception cref="KeyNotFoundException">No tensor is named <paramref name="name"/>.</exception>
    /// <exception cref="InvalidOperationException">The tensor has more elements than a .NET array holds.</exception>
    /// <exception cref="ObjectDisposedException">The file has been disposed.</exception>
    public float[] ReadFloat32(string name)
    {
        SafeTensorsEntry entry = Find(name);
        var values = new float[ArrayLength(entry)];
        CopyOut(entry, values.AsSpan(), TensorConversions.ToFloat32);
        return values;
    }

    /// <summary>Reads an I64, I32, I16, I8, U8 or BOOL tensor into a new array, by value (BOOL as 0/1).</summary>
    /// <exception cref="KeyNotFoundException">No tensor is named <paramref name="name"/>.</exception>
    /// <exception cref="InvalidCastException">The tensor holds floating-point values.</exception>
    /// <exception cref="ObjectDisposedException">The file has been disposed.</exception>
    public long[] ReadInt64(string name)
    {
        SafeTensorsEntry entry = Find(name);
        if (!SafeTensorsDTypes.IsIntegral(entry.Info.DType))
            throw WrongType(entry, nameof(ReadInt64), "I64, I32, I16, I8, U8 and BOOL");
        var values = new long[ArrayLength(entry)];
        CopyOut(entry, values.AsSpan(), TensorConversions.ToInt64);
        return values;
    }

    /// <summary>Reads a BOOL or U8 tensor into a new array: 0 is false, any other byte true.</summary>
    /// <exception cref="KeyNotFoundException">No tensor is named <paramref name="name"/>.</exception>
    /// <exception cref="InvalidCastException">The tensor is neither BOOL nor U8.</exception>
    /// <exception cref="ObjectDisposedException">The file has been disposed.</exception>
    public bool[] ReadBool(string name)
    {
        SafeTensorsEntry entry = Find(name);
        if (entry.Info.DType is not (TensorDType.Bool or TensorDType.U8))
            throw WrongType(entry, nameof(ReadBool), "BOOL and U8");
        var values = new bool[ArrayLength(entry)];
        CopyOut(entry, values.AsSpan(), static (_, source, destination) => TensorConversions.ToBool(source, destination));
        return values;
    }

    /// <summary>
    /// The tensor's stored bytes, little-endian, without conversion. The span points into the file
    /// (or the loaded array) and is valid only until <see cref="Dispose"/>.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No tensor is named <paramref name="name"/>.</exception>
    /// <exception cref="InvalidOperationException">The tensor is 2 GiB or larger, more than a span addresses.</exception>
    /// <exception cref="ObjectDisposedException">The file has been disposed.</exception>
    public ReadOnlySpan<byte> GetBytes(string name)
    {
        SafeTensorsEntry entry = Find(name);
        if (entry.ByteLength > int.MaxValue)
            throw new InvalidOperationException(
                $"Tensor '{name}' is {entry.ByteLength} bytes, more than one span addresses; read it with ReadFloat32(name, destination).");
        return _bytes.Slice(entry.FileOffset, (int)entry.ByteLength);
    }

    /// <summary>Unmaps the file (a no-op for in-memory data beyond refusing further reads). Idempotent.</summary>
    public void Dispose() => _bytes.Dispose();

    /// <summary>Names the source and its size, e.g. <c>file 'model.safetensors' (12 tensors)</c>.</summary>
    public override string ToString() => $"{_source} ({_names.Count} tensors)";

    private SafeTensorsEntry Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        ObjectDisposedException.ThrowIf(_bytes.IsDisposed, this);
        if (_byName.TryGetValue(name, out SafeTensorsEntry? entry))
            return entry;
        throw TensorNameSuggestions.Missing(name, _names, "safetensors " + _source);
    }

    private void CopyOut<T>(SafeTensorsEntry entry, Span<T> destination, ChunkConverter<T> convert)
    {
        int elementSize = SafeTensorsDTypes.SizeOf(entry.Info.DType);
        _bytes.AddRef();
        try
        {
            for (int start = 0; start < destination.Length; start += ChunkElements)
            {
                int count = Math.Min(ChunkElements, destination.Length - start);
                ReadOnlySpan<byte> source = _bytes.Slice(entry.FileOffset + (long)start * elementSize, count * elementSize);
                convert(entry.Info.DType, source, destination.Slice(start, count));
            }
        }
        finally
        {
            _bytes.Release();
        }
    }

    private static int ArrayLength(SafeTensorsEntry entry) =>
        entry.ElementCount <= Array.MaxLength
            ? (int)entry.ElementCount
            : throw new InvalidOperationException(
                $"Tensor '{entry.Info.Name}' has {entry.ElementCount} elements, more than one .NET array holds ({Array.MaxLength}).");

    private static InvalidCastException WrongType(SafeTensorsEntry entry, string method, string accepted) =>
        new($"Tensor '{entry.Info.Name}' is {SafeTensorsDTypes.ToName(entry.Info.DType)}; {method} reads {accepted} tensors.");
}
