using System;
using System.Buffers.Binary;
using System.IO;
using System.Linq;
using Attend.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace Attend.Tests.Layers;

/// <summary>
/// The ONNX <c>Attention</c> conformance cases through the GENERATED <c>[ScaledDotProductAttention]</c> classes: one
/// theory row per <c>*.safetensors</c> file × kernel path. The folder is <c>$ATTEND_ONNX_CONFORMANCE_DIR</c> when set,
/// else the checked-in <c>TestData/onnx</c>. The class for a case is looked up by (Hq, Hkv, D, Dv) in
/// <see cref="DeclaredLayers.Sdpa"/>; a case that cannot run (no such class, another operator, a missing tensor, an
/// unknown attribute) fails, naming what is missing.
/// </summary>
public sealed class OnnxAttentionConformanceTests(ITestOutputHelper log)
{
    /// <summary>Environment variable naming another folder of conformance files.</summary>
    public const string FolderVariable = "ATTEND_ONNX_CONFORMANCE_DIR";

    private static string Folder =>
        Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } folder ? folder : OnnxAttentionCase.DefaultFolder;

    private static string[] FileNames() =>
        Directory.Exists(Folder)
            ? Directory.GetFiles(Folder, "*.safetensors").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray()
            : [];

    /// <summary>File × kernel path.</summary>
    public static TheoryData<string, KernelPath> Cases()
    {
        var data = new TheoryData<string, KernelPath>();
        foreach (string file in FileNames())
        {
            foreach (KernelPath path in KernelPaths.All)
            {
                data.Add(file, path);
            }
        }

        return data;
    }

    [Fact]
    public void ConformanceFolder_HoldsCases()
    {
        Assert.True(Directory.Exists(Folder), $"The conformance folder '{Folder}' does not exist (set {FolderVariable} or restore TestData/onnx).");
        Assert.NotEmpty(FileNames());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case_MatchesOnnx(string file, KernelPath path)
    {
        OnnxAttentionCase c = OnnxAttentionCase.Load(Path.Combine(Folder, file));
        SdpaDeclaration declaration = DeclaredLayers.RequireSdpa(c.Heads, c.KvHeads, c.DimHead, c.ValueDimHead, $"ONNX case '{c.Name}'");
        IScaledDotProductAttentionLayer layer = declaration.Create();
        layer.Path = path;
        layer.MaxDegreeOfParallelism = 2;

        OnnxAttentionOutputs outputs = c.CreateOutputs();
        layer.Forward(c.Arguments(outputs));

        double yError = c.AssertClose("output.Y", outputs.Y);
        string report = $"{c.Name} {declaration.Name} {path}: max |error| Y {LayerAssert.Text(yError)}";
        if (c.Has("output.present_key"))
        {
            c.AssertExact("output.present_key", outputs.PresentKey);
            report += ", present_key exact";
        }

        if (c.Has("output.present_value"))
        {
            c.AssertExact("output.present_value", outputs.PresentValue);
            report += ", present_value exact";
        }

        if (c.Has("output.qk_matmul_output"))
        {
            double qkError = c.AssertClose("output.qk_matmul_output", outputs.QkMatMulOutput);
            report += $", qk_matmul_output (mode {(int)c.Mode}) {LayerAssert.Text(qkError)}";
        }

        log.WriteLine(report + (c.IsHalf ? " (F16)" : ""));
    }

    /// <summary>The F16 cases rely on <see cref="SafeTensorsFile.ReadFloat32(string)"/> widening half exactly.</summary>
    [Fact]
    public void HalfTensors_AreWidenedExactly()
    {
        string[] halfCases = Directory.GetFiles(OnnxAttentionCase.DefaultFolder, "*.safetensors")
            .Where(p => SafeTensors.Load(File.ReadAllBytes(p)).Tensors.Any(t => t.DType == TensorDType.F16))
            .ToArray();
        Assert.NotEmpty(halfCases);
        int checkedTensors = 0;
        foreach (string path in halfCases)
        {
            SafeTensorsFile file = SafeTensors.Load(File.ReadAllBytes(path));
            foreach (TensorInfo tensor in file.Tensors.Where(t => t.DType == TensorDType.F16))
            {
                ReadOnlySpan<byte> bytes = file.GetBytes(tensor.Name);
                float[] widened = file.ReadFloat32(tensor.Name);
                Assert.Equal(bytes.Length / 2, widened.Length);
                for (int n = 0; n < widened.Length; n++)
                {
                    float exact = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(2 * n)..]);
                    Assert.True(BitConverter.SingleToInt32Bits(exact) == BitConverter.SingleToInt32Bits(widened[n]),
                        $"{Path.GetFileName(path)} {tensor.Name}[{n}]: ReadFloat32 gave {widened[n]}, the half is {exact}");
                }

                checkedTensors++;
            }
        }

        Assert.True(checkedTensors >= 4, $"only {checkedTensors} F16 tensors were checked");
    }

    /// <summary>A case whose shape has no declared class fails with the declaration to add.</summary>
    [Fact]
    public void UndeclaredShape_FailsNamingTheMissingDeclaration()
    {
        Xunit.Sdk.XunitException e = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => DeclaredLayers.RequireSdpa(5, 5, 16, 16, "ONNX case 'x'"));
        Assert.Contains("[ScaledDotProductAttention(Heads = 5, KvHeads = 5, DimHead = 16, ValueDimHead = 16)]", e.Message, StringComparison.Ordinal);
        Assert.Contains("Layers/Declarations.cs", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Another operator, a missing tensor or an unknown attribute fails the case naming it.</summary>
    [Fact]
    public void UnrunnableFiles_FailNamingWhatIsWrong()
    {
        string folder = Path.Combine(Path.GetTempPath(), "attend-onnx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            byte[] valid = File.ReadAllBytes(Path.Combine(OnnxAttentionCase.DefaultFolder, "test_attention_4d.safetensors"));
            string Write(string name, byte[] bytes)
            {
                string path = Path.Combine(folder, name + ".safetensors");
                File.WriteAllBytes(path, bytes);
                return path;
            }

            string softmax = Write("softmax", ReplaceInHeader(valid, "\"Attention\"", "\"Softmax\"  "));
            Assert.Contains("op_type is 'Softmax'", Refusal(softmax), StringComparison.Ordinal);

            string noY = Write("no_y", ReplaceInHeader(valid, "\"output.Y\"", "\"output.Z\""));
            Assert.Contains("output.Z", Refusal(noY), StringComparison.Ordinal);

            string attribute = Write("attribute", ReplaceInHeader(valid, "\"source\"", "\"attr.s\""));
            Assert.Contains("attribute 's'", Refusal(attribute), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Refusal(string path) => Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => OnnxAttentionCase.Load(path)).Message;

    /// <summary>Replaces text of equal length in a safetensors header (so offsets stay valid).</summary>
    private static byte[] ReplaceInHeader(byte[] file, string from, string to)
    {
        Assert.Equal(from.Length, to.Length);
        byte[] copy = (byte[])file.Clone();
        int headerLength = (int)BinaryPrimitives.ReadInt64LittleEndian(copy);
        string header = System.Text.Encoding.ASCII.GetString(copy, 8, headerLength);
        int at = header.IndexOf(from, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{from}' is not in the header");
        System.Text.Encoding.ASCII.GetBytes(to).CopyTo(copy, 8 + at);
        return copy;
    }
}
