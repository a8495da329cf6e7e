using System;
using System.Threading;

namespace Attend;

/// <summary>
/// The bytes of a safetensors file, in memory or memory-mapped. Readers bracket every use with
/// <see cref="AddRef"/> / <see cref="Release"/> so that a concurrent <see cref="Dispose"/> can never
/// unmap memory while a copy out of it is running.
/// </summary>
internal abstract class TensorBytes : IDisposable
{
    private int _disposed;

    /// <summary>Length of the whole file in bytes.</summary>
    internal abstract long Length { get; }

    /// <summary>Whether <see cref="Dispose"/> has run.</summary>
    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Keeps the bytes readable until the matching <see cref="Release"/>.</summary>
    /// <exception cref="ObjectDisposedException">The file has been disposed.</exception>
    internal abstract void AddRef();

    /// <summary>Ends a use begun by <see cref="AddRef"/>.</summary>
    internal abstract void Release();

    /// <summary>
    /// <paramref name="length"/> bytes at file offset <paramref name="offset"/>. The caller has
    /// validated the range (the header parser proves every tensor lies inside the file).
    /// </summary>
    internal abstract ReadOnlySpan<byte> Slice(long offset, int length);

    /// <summary>Marks the bytes disposed; later <see cref="AddRef"/> calls throw.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            ReleaseResources();
    }

    /// <summary>Frees what the subclass holds; runs once.</summary>
    protected abstract void ReleaseResources();

    /// <summary>Throws <see cref="ObjectDisposedException"/> after <see cref="Dispose"/>.</summary>
    protected void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(IsDisposed, typeof(SafeTensorsFile));
}

/// <summary>File bytes held in managed memory (<see cref="SafeTensors.Load"/>, <see cref="SafeTensors.Parse"/>).</summary>
internal sealed class MemoryTensorBytes(ReadOnlyMemory<byte> bytes) : TensorBytes
{
    internal override long Length => bytes.Length;

    internal override void AddRef() => ThrowIfDisposed();

    internal override void Release()
    {
        // Managed memory stays valid as long as it is referenced; nothing to count.
    }

    internal override ReadOnlySpan<byte> Slice(long offset, int length) => bytes.Span.Slice(checked((int)offset), length);

    protected override void ReleaseResources()
    {
        // The caller owns the memory; disposing only stops further reads, for parity with Open.
    }
}
