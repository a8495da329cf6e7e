using System;
using System.IO;

namespace Attend;

/// <summary>
/// Reads the weights (graph initializers) of an ONNX model as an <see cref="IWeightSource"/>, with the
/// Linear weights of a PyTorch export under their <c>nn.Linear</c> names and layout.
/// </summary>
/// <remarks>
/// <para>
/// Attend reads the protobuf wire format itself, for the few ONNX messages weights need, rather than
/// depending on Google.Protobuf: the package stays dependency-free and trim/AOT clean, and every length
/// is checked against the bytes that hold it, as in <see cref="SafeTensors"/>. A malformed file (bad
/// varint, length past its message, duplicate initializer names, dimensions that disagree with the data,
/// an unsupported data type, values in an external file) throws <see cref="InvalidDataException"/>
/// saying what and where; a <see cref="OnnxWeightsFile"/> that exists can read every tensor it lists.
/// </para>
/// <para>
/// Anonymous MatMul/Gemm weights are renamed as <see cref="OnnxWeightsFile.RecoveredNames"/> describes.
/// Supported data types: FLOAT, FLOAT16, BFLOAT16, DOUBLE, INT64, INT32, INT16, INT8, UINT8 and BOOL,
/// from <c>raw_data</c> or the typed fields (<c>float_data</c>, <c>int32_data</c>, <c>int64_data</c>,
/// <c>double_data</c>).
/// </para>
/// </remarks>
public static class OnnxWeights
{
    internal const string InMemorySource = "model (in memory)";

    /// <summary>Protobuf's own limit on a message, hence on an ONNX file whose data is inside it.</summary>
    internal const long MaxModelBytes = int.MaxValue;

    /// <summary>
    /// Opens an <c>.onnx</c> file memory-mapped and read-only: <c>raw_data</c> values are paged in when
    /// first read. The file stays open until the result is disposed.
    /// </summary>
    /// <param name="path">Path of an <c>.onnx</c> model saved with its data inside the file.</param>
    /// <exception cref="InvalidDataException">The file is not a readable ONNX model; the message says why and where.</exception>
    /// <exception cref="FileNotFoundException">No file exists at <paramref name="path"/>.</exception>
    /// <exception cref="IOException">The file cannot be opened or mapped.</exception>
    public static OnnxWeightsFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string source = $"file '{path}'";
        MappedTensorBytes bytes = MappedTensorBytes.Open(path, 1, _ => Invalid(source, "the file is empty"));
        try
        {
            if (bytes.Length > MaxModelBytes)
                throw Invalid(source, $"the file is {bytes.Length} bytes, more than the 2 GiB a protobuf message holds; " +
                                      "models this large keep their weights as external data, which Attend does not read");
            return Create(bytes, bytes.Slice(0, (int)bytes.Length), source);
        }
        catch
        {
            bytes.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads an ONNX model already in memory, e.g. from an embedded resource. The memory is used in place,
    /// not copied, so it must not change while the result is in use.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not a readable ONNX model; the message says why and where.</exception>
    public static OnnxWeightsFile Load(ReadOnlyMemory<byte> model)
    {
        var bytes = new MemoryTensorBytes(model);
        return Create(bytes, model.Span, InMemorySource);
    }

    /// <summary>Reads an ONNX model from a stream (read to its end, not disposed), e.g. <c>Assembly.GetManifestResourceStream</c>.</summary>
    /// <exception cref="InvalidDataException">The stream does not hold a readable ONNX model, or holds more than 2 GiB.</exception>
    /// <exception cref="IOException">Reading the stream failed.</exception>
    public static OnnxWeightsFile Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream.CanSeek && stream.Length - stream.Position > MaxModelBytes)
            throw Invalid("stream", $"it holds {stream.Length - stream.Position} bytes, more than the 2 GiB a protobuf message holds");
        using var copy = stream.CanSeek ? new MemoryStream((int)(stream.Length - stream.Position)) : new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (copy.Length + read > MaxModelBytes)
                throw Invalid("stream", "it holds more than the 2 GiB a protobuf message holds");
            copy.Write(buffer, 0, read);
        }
        return Load(new ReadOnlyMemory<byte>(copy.GetBuffer(), 0, (int)copy.Length));
    }

    /// <summary>The exception every format violation becomes.</summary>
    internal static InvalidDataException Invalid(string source, string problem, Exception? inner = null) =>
        new($"Invalid ONNX {source}: {problem}.", inner);

    private static OnnxWeightsFile Create(TensorBytes bytes, ReadOnlySpan<byte> file, string source)
    {
        OnnxGraph graph = OnnxGraphReader.Read(file, source);
        return new OnnxWeightsFile(bytes, OnnxLinearNames.Resolve(graph, source), source);
    }
}
