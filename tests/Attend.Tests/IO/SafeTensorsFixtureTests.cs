using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Attend;
using Xunit;

namespace Attend.Tests.IO;

/// <summary>Reads the real files under TestData: PyTorch fixtures and the ONNX conformance data (F16, BOOL, I64).</summary>
public sealed class SafeTensorsFixtureTests
{
    private static string TestData(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "TestData", .. parts]);

    public static IEnumerable<object[]> AllFiles() =>
        new[] { "fixtures", "onnx" }
            .SelectMany(folder => Directory.GetFiles(TestData(folder), "*.safetensors"))
            .Order(StringComparer.Ordinal)
            .Select(path => new object[] { Path.GetRelativePath(TestData(), path) });

    [Fact]
    public void TheFixtureFolders_HoldTheExpectedFiles()
    {
        Assert.True(AllFiles().Count() >= 60, "expected 14 PyTorch fixtures and about 50 ONNX cases");
    }

    [Theory]
    [MemberData(nameof(AllFiles))]
    public void EveryTensorOfEveryFile_ReadsTheSameMappedAndInMemory(string relativePath)
    {
        string path = TestData(relativePath);
        using SafeTensorsFile mapped = SafeTensors.Open(path);
        using SafeTensorsFile loaded = SafeTensors.Load(File.ReadAllBytes(path));

        Assert.NotEmpty(mapped.Tensors);
        Assert.NotEmpty(mapped.Metadata);
        foreach (TensorInfo info in mapped.Tensors)
        {
            float[] values = mapped.ReadFloat32(info.Name);
            Assert.Equal(info.ElementCount, values.Length);
            Assert.Equal(loaded.ReadFloat32(info.Name), values);
            Assert.Equal(info.ElementCount * ElementSize(info.DType), mapped.GetBytes(info.Name).Length);
        }
    }

    [Fact]
    public void MhaSelfNoneSmall_HasThePackedInProjectionAndHeadCount()
    {
        using SafeTensorsFile file = SafeTensors.Open(TestData("fixtures", "mha_self_none_small.safetensors"));

        Assert.True(file.TryGetInfo("in_proj_weight", out TensorInfo info));
        Assert.Equal(TensorDType.F32, info.DType);
        Assert.Equal([45L, 15L], info.Shape);
        Assert.Equal("[45, 15]", info.ShapeText);
        Assert.Equal("3", file.Metadata["heads"]);
        Assert.Equal("15", file.Metadata["embed_dim"]);

        float[] weight = file.ReadFloat32("in_proj_weight");
        // Values printed by Python's struct module from the same bytes.
        Assert.Equal((float)-0.16049492359161377, weight[0]);
        Assert.Equal((float)-0.2063615471124649, weight[1]);
        Assert.Equal((float)0.26556551456451416, weight[^1]);
    }

    [Fact]
    public void KeyPaddingFixture_HasU8MaskAndI32Lengths()
    {
        using SafeTensorsFile file = SafeTensors.Open(TestData("fixtures", "mha_self_key_padding_small.safetensors"));
        bool[] mask = file.ReadBool("input.key_padding_mask");
        Assert.Equal(Enumerable.Repeat(false, 11).Concat(Enumerable.Repeat(true, 3)), mask);
        Assert.Equal([7L, 4L], file.ReadInt64("input.valid_lengths"));
        Assert.Equal(TensorDType.I32, file.Tensors.Single(t => t.Name == "input.valid_lengths").DType);
    }

    [Fact]
    public void OnnxFp16Case_MatchesItsFp32Twin_AndReadsI64Lengths()
    {
        using SafeTensorsFile half = SafeTensors.Open(TestData("onnx", "test_attention_4d_gqa_causal_nonpad_decode_fp16.safetensors"));
        using SafeTensorsFile single = SafeTensors.Open(TestData("onnx", "test_attention_4d_gqa_causal_nonpad_decode.safetensors"));

        Assert.True(half.TryGetInfo("input.Q", out TensorInfo info));
        Assert.Equal(TensorDType.F16, info.DType);
        float[] q16 = half.ReadFloat32("input.Q");
        Assert.Equal([0.548828125f, 0.71533203125f, 0.6025390625f, 0.544921875f], q16.Take(4));

        // Same inputs, rounded to binary16: within half an F16 ulp (2^-11 relative).
        float[] q32 = single.ReadFloat32("input.Q");
        for (int i = 0; i < q32.Length; i++)
            Assert.True(Math.Abs(q16[i] - q32[i]) <= Math.Abs(q32[i]) * MathF.Pow(2, -11) + 1e-7f, $"element {i}: {q16[i]} vs {q32[i]}");

        Assert.Equal(TensorDType.I64, half.Tensors.Single(t => t.Name == "input.nonpad_kv_seqlen").DType);
        Assert.Equal([8L, 5L], half.ReadInt64("input.nonpad_kv_seqlen"));
        Assert.Equal([8f, 5f], half.ReadFloat32("input.nonpad_kv_seqlen"));
    }

    [Fact]
    public void OnnxBoolMask_ReadsAsBoolAndAsZeroOneFloats()
    {
        using SafeTensorsFile file = SafeTensors.Open(TestData("onnx", "test_attention_4d_causal_nonpad_attn_mask_composition.safetensors"));
        Assert.True(file.TryGetInfo("input.attn_mask", out TensorInfo info));
        Assert.Equal(TensorDType.Bool, info.DType);
        Assert.Equal([2L, 1L, 3L, 6L], info.Shape);

        // First two rows of 6, as Python reads them.
        bool[] mask = file.ReadBool("input.attn_mask");
        Assert.Equal([true, true, true, false, false, false, true, true, true, false, false, false], mask.Take(12));
        Assert.Equal(mask.Select(m => m ? 1f : 0f), file.ReadFloat32("input.attn_mask"));
        Assert.Equal([4L, 5L], file.ReadInt64("input.nonpad_kv_seqlen"));
    }

    private static long ElementSize(TensorDType dtype) => dtype switch
    {
        TensorDType.F64 or TensorDType.I64 => 8,
        TensorDType.F32 or TensorDType.I32 => 4,
        TensorDType.F16 or TensorDType.BF16 or TensorDType.I16 => 2,
        _ => 1,
    };
}
