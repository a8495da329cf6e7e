using System;
using System.IO;
using System.IO.MemoryMappedFiles;
using Microsoft.Win32.SafeHandles;

namespace Attend;

/// <summary>
/// A file mapped read-only into the address space: opening costs no copy, and pages load on first
/// touch, so loading one layer of a large checkpoint reads only that layer's bytes.
/// </summary>
internal sealed unsafe class MappedTensorBytes : TensorBytes
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly SafeMemoryMappedViewHandle _handle;
    private readonly byte* _start;
    private readonly long _length;

    private MappedTensorBytes(MemoryMappedFile file, MemoryMappedViewAccessor view, long length)
    {
        _file = file;
        _view = view;
        _handle = view.SafeMemoryMappedViewHandle;
        _length = length;
        byte* pointer = null;
        // Holds one reference on the view for the object's lifetime; ReleaseResources drops it.
        _handle.AcquirePointer(ref pointer);
        _start = pointer + view.PointerOffset;
    }

    /// <summary>Maps a safetensors file read-only.</summary>
    /// <exception cref="InvalidDataException">The file is shorter than the 8-byte header length.</exception>
    internal static MappedTensorBytes Open(string path) =>
        Open(path, SafeTensorsHeader.LengthPrefixBytes, length => SafeTensorsHeader.Invalid(SafeTensors.Describe(path),
            $"the file is {length} bytes, shorter than the 8-byte header length that starts every safetensors file"));

    /// <summary>Maps <paramref name="path"/> read-only.</summary>
    /// <param name="path">The file.</param>
    /// <param name="minimumLength">The shortest file the format allows (at least 1: an empty file cannot be mapped).</param>
    /// <param name="tooShort">The exception for a file of the given length below <paramref name="minimumLength"/>.</param>
    internal static MappedTensorBytes Open(string path, long minimumLength, Func<long, InvalidDataException> tooShort)
    {
        // FileShare.Read: other readers are welcome; a writer truncating the file under the
        // mapping would turn reads into access faults, so writers are refused where the OS can.
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            long length = stream.Length;
            // An empty file cannot be mapped at all, and a short one has no header to parse.
            if (length < Math.Max(1, minimumLength))
                throw tooShort(length);

            var file = MemoryMappedFile.CreateFromFile(stream, mapName: null, capacity: 0,
                MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            try
            {
                var view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
                try
                {
                    return new MappedTensorBytes(file, view, length);
                }
                catch
                {
                    view.Dispose();
                    throw;
                }
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    internal override long Length => _length;

    internal override void AddRef()
    {
        ThrowIfDisposed();
        bool added = false;
        // Throws ObjectDisposedException if Dispose closed the handle after the check above;
        // once added, a concurrent Dispose defers the unmap until the matching Release.
        _handle.DangerousAddRef(ref added);
    }

    internal override void Release() => _handle.DangerousRelease();

    internal override ReadOnlySpan<byte> Slice(long offset, int length)
    {
        ThrowIfDisposed();
        return new ReadOnlySpan<byte>(_start + offset, length);
    }

    protected override void ReleaseResources()
    {
        _handle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
