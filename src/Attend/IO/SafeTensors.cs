using System;
using System.IO;

namespace Attend;

/// <summary>
/// Reads the safetensors format (<c>[u64 header length][JSON header][raw little-endian data]</c>), the
/// format of Hugging Face checkpoints and of <c>safetensors.torch.save_file(state_dict)</c>.
/// </summary>
/// <remarks>
/// The whole header is validated before anything is returned: malformed JSON, unknown dtypes,
/// offsets outside the data section, overlapping tensors and sizes that disagree with their shapes
/// all throw <see cref="InvalidDataException"/> naming the tensor and offset involved, so a
/// <see cref="SafeTensorsFile"/> that exists can read every tensor it lists.
/// </remarks>
public static class SafeTensors
{
    internal const string InMemorySource = "data (in memory)";

    /// <summary>
    /// Opens a file memory-mapped and read-only: tensor bytes are paged in when first read, not at
    /// open. The file stays open until the result is disposed.
    /// </summary>
    /// <param name="path">Path of a <c>.safetensors</c> file.</param>
    /// <exception cref="InvalidDataException">The file is not valid safetensors; the message says why and where.</exception>
    /// <exception cref="FileNotFoundException">No file exists at <paramref name="path"/>.</exception>
    /// <exception cref="IOException">The file cannot be opened or mapped.</exception>
    public static SafeTensorsFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string source = Describe(path);
        MappedTensorBytes bytes = MappedTensorBytes.Open(path);
        try
        {
            // A header the checks accept lies within the first 8 + 100 MB, so that prefix is all
            // the parser needs to see; it also keeps the span's length within an int.
            int prefixLength = (int)Math.Min(bytes.Length, SafeTensorsHeader.LengthPrefixBytes + SafeTensorsHeader.MaxHeaderBytes);
            SafeTensorsHeader header = SafeTensorsHeader.Parse(bytes.Slice(0, prefixLength), bytes.Length, source);
            return new SafeTensorsFile(bytes, header, source);
        }
        catch
        {
            bytes.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads safetensors data already in memory. The array is used in place, not copied, so it
    /// must not change while the result is in use.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not valid safetensors; the message says why and where.</exception>
    public static SafeTensorsFile Load(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return Parse(bytes);
    }

    /// <summary>
    /// Reads safetensors data already in memory. The memory is used in place, not copied, so it
    /// must not change while the result is in use.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not valid safetensors; the message says why and where.</exception>
    public static SafeTensorsFile Parse(ReadOnlyMemory<byte> bytes)
    {
        SafeTensorsHeader header = SafeTensorsHeader.Parse(bytes.Span, bytes.Length, InMemorySource);
        return new SafeTensorsFile(new MemoryTensorBytes(bytes), header, InMemorySource);
    }

    /// <summary>How messages name a file on disk.</summary>
    internal static string Describe(string path) => $"file '{path}'";
}
