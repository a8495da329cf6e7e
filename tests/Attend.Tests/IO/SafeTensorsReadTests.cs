using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Attend;
using Xunit;

namespace Attend.Tests.IO;

/// <summary>Round trips through the test writer: names, order, shapes, metadata, raw bytes and the read API's errors.</summary>
public sealed class SafeTensorsReadTests
{
    private static readonly float[] Weight = [1.5f, -2f, 0.25f, 3f, float.MaxValue, -0f];

    private static byte[] TwoTensorFile() => new SafeTensorsTestWriter()
        .AddMetadata("heads", "3")
        .AddMetadata("note", "quote \" and ünïcödé")
        .AddFloat32("layer.weight", Weight, 2, 3)
        .AddFloat32("layer.bias", [7f, 8f], 2)
        .ToArray();

    [Fact]
    public void RoundTrip_KeepsNamesInHeaderOrderShapesValuesAndMetadata()
    {
        using SafeTensorsFile file = SafeTensors.Load(TwoTensorFile());

        Assert.Equal(["layer.weight", "layer.bias"], file.Names);
        Assert.Equal(["layer.weight", "layer.bias"], file.Tensors.Select(t => t.Name));
        Assert.Equal([2L, 3L], file.Tensors[0].Shape);
        Assert.Equal(TensorDType.F32, file.Tensors[1].DType);
        Assert.Equal(Weight, file.ReadFloat32("layer.weight"));
        Assert.Equal([7f, 8f], file.ReadFloat32("layer.bias"));
        Assert.Equal("3", file.Metadata["heads"]);
        Assert.Equal("quote \" and ünïcödé", file.Metadata["note"]);
        Assert.Equal(2, file.Metadata.Count);
    }

    [Fact]
    public void ReadFloat32_IntoSpan_FillsExactlyTheDestination()
    {
        using SafeTensorsFile file = SafeTensors.Load(TwoTensorFile());
        var destination = new float[6];
        file.ReadFloat32("layer.weight", destination);
        Assert.Equal(Weight, destination);
    }

    [Fact]
    public void TryGetInfo_FindsExactNamesOnly()
    {
        using SafeTensorsFile file = SafeTensors.Load(TwoTensorFile());
        Assert.True(file.TryGetInfo("layer.bias", out TensorInfo info));
        Assert.Equal(new[] { 2L }, info.Shape);
        Assert.Equal(2, info.ElementCount);
        Assert.False(file.TryGetInfo("Layer.bias", out _));
        Assert.False(file.TryGetInfo("layer.bias ", out _));
    }

    [Theory]
    [InlineData(TensorDType.F32, 4)]
    [InlineData(TensorDType.F16, 2)]
    [InlineData(TensorDType.BF16, 2)]
    [InlineData(TensorDType.F64, 8)]
    [InlineData(TensorDType.I64, 8)]
    [InlineData(TensorDType.I32, 4)]
    [InlineData(TensorDType.I16, 2)]
    [InlineData(TensorDType.I8, 1)]
    [InlineData(TensorDType.U8, 1)]
    [InlineData(TensorDType.Bool, 1)]
    public void EveryDType_KeepsItsRawBytesAndShape(TensorDType dtype, int elementSize)
    {
        byte[] data = Enumerable.Range(0, 6 * elementSize).Select(i => (byte)(i % 2)).ToArray();
        byte[] bytes = new SafeTensorsTestWriter()
            .AddFloat32("before", [1f], 1)
            .Add("x", dtype, [3, 2], data)
            .ToArray();

        using SafeTensorsFile file = SafeTensors.Load(bytes);
        Assert.True(file.TryGetInfo("x", out TensorInfo info));
        Assert.Equal(dtype, info.DType);
        Assert.Equal([3L, 2L], info.Shape);
        Assert.Equal(data, file.GetBytes("x").ToArray());
        Assert.Equal(6, file.ReadFloat32("x").Length);
    }

    [Fact]
    public void ScalarsAndZeroSizedTensors_Load()
    {
        byte[] bytes = new SafeTensorsTestWriter()
            .AddFloat32("scalar", [42f])
            .AddFloat32("empty", [], 0, 5)
            .AddFloat32("after", [1f, 2f], 2)
            .ToArray();

        using SafeTensorsFile file = SafeTensors.Load(bytes);
        Assert.Empty(file.Tensors[0].Shape);
        Assert.Equal([42f], file.ReadFloat32("scalar"));
        Assert.Empty(file.ReadFloat32("empty"));
        Assert.Equal(0, file.GetBytes("empty").Length);
        Assert.Equal([1f, 2f], file.ReadFloat32("after"));
    }

    [Fact]
    public void OffsetsOutOfHeaderOrderAndGapsBetweenTensors_AreAccepted()
    {
        // "b" is stored first, then a 4-byte gap, then "a", then 3 trailing bytes.
        float[] a = [1f, 2f];
        float[] b = [3f];
        byte[] data = [.. SafeTensorsTestWriter.Bytes(b), 0xEE, 0xEE, 0xEE, 0xEE, .. SafeTensorsTestWriter.Bytes(a), 1, 2, 3];
        string header = "{" +
            "\"a\":" + SafeTensorsTestWriter.EntryJson("F32", [2], 8, 16) + "," +
            "\"b\":" + SafeTensorsTestWriter.EntryJson("F32", [1], 0, 4) + "}";

        using SafeTensorsFile file = SafeTensors.Load(SafeTensorsTestWriter.Assemble(header, data));
        Assert.Equal(["a", "b"], file.Names);
        Assert.Equal(a, file.ReadFloat32("a"));
        Assert.Equal(b, file.ReadFloat32("b"));
    }

    [Fact]
    public void UnknownEntryFieldsAndEmptyHeader_AreAccepted()
    {
        string header = "{\"w\":{\"dtype\":\"U8\",\"extra\":{\"nested\":[1,[2,{\"x\":null}]]},\"shape\":[1],\"data_offsets\":[0,1]}}";
        using (SafeTensorsFile file = SafeTensors.Load(SafeTensorsTestWriter.Assemble(header, [9])))
            Assert.Equal([9L], file.ReadInt64("w"));

        using SafeTensorsFile empty = SafeTensors.Load(SafeTensorsTestWriter.Assemble("  {}", []));
        Assert.Empty(empty.Tensors);
        Assert.Empty(empty.Metadata);
    }

    [Fact]
    public void ReadFloat32_WithWrongDestinationLength_NamesDestinationAndTheExpectedCount()
    {
        using SafeTensorsFile file = SafeTensors.Load(TwoTensorFile());
        var ex = Assert.Throws<ArgumentException>(() => file.ReadFloat32("layer.weight", new float[5]));
        Assert.Equal("destination", ex.ParamName);
        Assert.Contains("6 elements", ex.Message);
        Assert.Contains("holds 5", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
    }

    [Fact]
    public void MissingName_ThrowsKeyNotFound_ListingTheTenNearestNames()
    {
        var writer = new SafeTensorsTestWriter();
        for (int i = 0; i < 15; i++) writer.AddFloat32($"layers.{i}.weight", [0f], 1);
        writer.AddFloat32("unrelated_thing", [0f], 1);
        using SafeTensorsFile file = SafeTensors.Load(writer.ToArray());

        var ex = Assert.Throws<KeyNotFoundException>(() => file.ReadFloat32("layers.3.weights"));
        Assert.Contains("'layers.3.weights'", ex.Message);
        string listed = ex.Message[ex.Message.IndexOf("Nearest names:", StringComparison.Ordinal)..];
        Assert.StartsWith("Nearest names: 'layers.3.weight'", listed);
        Assert.Equal(10, listed.Count(c => c == ',') + 1);
        Assert.DoesNotContain("unrelated_thing", listed);
        Assert.Throws<KeyNotFoundException>(() => file.GetBytes("nope"));
        Assert.Throws<KeyNotFoundException>(() => file.ReadFloat32("nope", Span<float>.Empty));
    }

    [Fact]
    public void IntegerAndBoolReaders_RefuseFloatingPointTensors()
    {
        byte[] bytes = new SafeTensorsTestWriter()
            .AddFloat32("f", [1f], 1)
            .Add("i", TensorDType.I32, [1], SafeTensorsTestWriter.Bytes(new[] { 5 }))
            .ToArray();
        using SafeTensorsFile file = SafeTensors.Load(bytes);

        var ex = Assert.Throws<InvalidCastException>(() => file.ReadInt64("f"));
        Assert.Contains("'f' is F32", ex.Message);
        Assert.Throws<InvalidCastException>(() => file.ReadBool("i"));
        Assert.Equal([5L], file.ReadInt64("i"));
    }

    [Fact]
    public void Open_MemoryMapsTheFile_AndReadsWhatLoadReads()
    {
        byte[] bytes = TwoTensorFile();
        string path = SafeTensorsTestWriter.WriteTempFile(bytes);
        try
        {
            using SafeTensorsFile mapped = SafeTensors.Open(path);
            using SafeTensorsFile loaded = SafeTensors.Load(bytes);
            Assert.Equal(loaded.Names, mapped.Names);
            Assert.Equal(loaded.Metadata, mapped.Metadata);
            foreach (string name in loaded.Names)
            {
                Assert.Equal(loaded.ReadFloat32(name), mapped.ReadFloat32(name));
                Assert.Equal(loaded.GetBytes(name).ToArray(), mapped.GetBytes(name).ToArray());
            }
            Assert.Contains(path, mapped.ToString());

            // Other readers may still open the file while it is mapped.
            Assert.Equal(bytes, File.ReadAllBytes(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Open_StaysReadableAfterConstructionUntilDispose()
    {
        string path = SafeTensorsTestWriter.WriteTempFile(TwoTensorFile());
        try
        {
            SafeTensorsFile file = SafeTensors.Open(path);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Assert.Equal(Weight, file.ReadFloat32("layer.weight"));

            file.Dispose();
            file.Dispose();
            Assert.Throws<ObjectDisposedException>(() => file.ReadFloat32("layer.weight"));
            Assert.Throws<ObjectDisposedException>(() => file.ReadFloat32("layer.weight", new float[6]));
            Assert.Throws<ObjectDisposedException>(() => file.GetBytes("layer.weight"));
            Assert.Throws<ObjectDisposedException>(() => file.ReadInt64("layer.weight"));
            // The description is managed memory and still answers.
            Assert.True(file.TryGetInfo("layer.bias", out _));
            Assert.Equal("3", file.Metadata["heads"]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_AfterDispose_ThrowsObjectDisposed()
    {
        SafeTensorsFile file = SafeTensors.Load(TwoTensorFile());
        file.Dispose();
        Assert.Throws<ObjectDisposedException>(() => file.ReadFloat32("layer.bias"));
        Assert.Throws<ObjectDisposedException>(() => file.ReadBool("layer.bias"));
    }

    [Fact]
    public void ConcurrentReads_FromManyThreads_AllSeeTheSameValues()
    {
        var values = Enumerable.Range(0, 4096).Select(i => i * 0.5f).ToArray();
        string path = SafeTensorsTestWriter.WriteTempFile(new SafeTensorsTestWriter().AddFloat32("w", values, 64, 64).ToArray());
        try
        {
            using SafeTensorsFile file = SafeTensors.Open(path);
            int mismatches = 0;
            Parallel.For(0, 256, _ =>
            {
                if (!file.ReadFloat32("w").AsSpan().SequenceEqual(values)) System.Threading.Interlocked.Increment(ref mismatches);
            });
            Assert.Equal(0, mismatches);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Open_MissingFile_ThrowsFileNotFound_AndNullArgumentsThrowArgumentExceptions()
    {
        Assert.Throws<FileNotFoundException>(() => SafeTensors.Open(Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.safetensors")));
        Assert.Throws<ArgumentNullException>(() => SafeTensors.Load(null!));
        Assert.Throws<ArgumentNullException>(() => SafeTensors.Open(null!));
        Assert.Throws<ArgumentException>(() => SafeTensors.Open(""));
    }
}
