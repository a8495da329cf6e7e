using System;
using System.IO;
using System.Linq;
using Attend.Kernels;
using Attend.Tests.Layers;
using Xunit;

namespace Attend.Tests.Kernels;

/// <summary>
/// Every ONNX <c>test_attention_*</c> conformance case through <see cref="OnnxAttention"/> over
/// <see cref="ReferenceHeadKernels"/>, plus the operator's validation and its past/present variants.
/// </summary>
[Collection(ReferenceHeadKernelsCollection.Name)]
public sealed class OnnxAttentionReferenceTests
{
    private const int ExpectedCaseCount = 51;

    private static string Folder => OnnxAttentionCase.DefaultFolder;

    /// <summary>One row per conformance file, by case name.</summary>
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (string name in CaseNames())
        {
            data.Add(name);
        }

        return data;
    }

    private static string[] CaseNames() =>
        Directory.GetFiles(Folder, "test_attention_*.safetensors")
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .ToArray();

    [Fact]
    public void EveryConformanceCaseIsPresent() => Assert.Equal(ExpectedCaseCount, CaseNames().Length);

    [Theory]
    [MemberData(nameof(Cases))]
    public void ConformanceCase_MatchesOnnxReference(string name)
    {
        OnnxAttentionCase c = OnnxAttentionCase.LoadNamed(name);
        OnnxAttentionOutputs run = Run(c);

        c.AssertClose("output.Y", run.Y);
        if (c.Has("output.present_key"))
        {
            Assert.Equal(c.Expected("output.present_key"), run.PresentKey);
            Assert.Equal(c.Expected("output.present_value"), run.PresentValue);
        }

        if (c.Has("output.qk_matmul_output"))
        {
            c.AssertClose("output.qk_matmul_output", run.QkMatMulOutput);
        }
    }

    [Theory]
    [InlineData("test_attention_4d_with_past_and_present")]
    [InlineData("test_attention_3d_gqa_with_past_and_present")]
    [InlineData("test_attention_4d_causal_with_past_and_present")]
    public void PastWithoutPresentOutputs_GivesTheSameOutput(string name)
    {
        OnnxAttentionCase c = OnnxAttentionCase.LoadNamed(name);
        Assert.Equal(Run(c).Y, Run(c, withPresent: false).Y);
    }

    [Theory]
    [InlineData("test_attention_4d_gqa")]
    [InlineData("test_attention_3d_diff_heads_sizes")]
    public void PresentWithoutPast_IsTheNewKeysAndValuesHeadMajor(string name)
    {
        OnnxAttentionCase c = OnnxAttentionCase.LoadNamed(name);
        OnnxAttentionOutputs run = Run(c, forcePresent: true);
        c.AssertClose("output.Y", run.Y);
        Assert.Equal(c.HeadMajor(c.Key, c.DimHead), run.PresentKey);
        Assert.Equal(c.HeadMajor(c.Value, c.ValueDimHead), run.PresentValue);
    }

    [Fact]
    public void RawScoresMode_IsBeforeTheSoftcap()
    {
        OnnxAttentionCase c = OnnxAttentionCase.LoadNamed("test_attention_4d_with_qk_matmul_softcap");
        float[] raw = Run(c, mode: QkMatMulOutputMode.RawScores).QkMatMulOutput!;
        float softcap = c.Softcap;
        float[] capped = raw.Select(s => softcap * MathF.Tanh(s / softcap)).ToArray();
        c.AssertClose("output.qk_matmul_output", capped);
        Assert.NotEqual(capped, raw);
    }

    [Fact]
    public void ThreadCount_DoesNotChangeResults()
    {
        OnnxAttentionCase c = OnnxAttentionCase.LoadNamed("test_attention_4d_with_past_and_present_qk_matmul_bias_4d_mask_causal");
        OnnxAttentionOutputs one = Run(c);
        OnnxAttentionOutputs four = Run(c, threads: 4);
        Assert.Equal(one.Y, four.Y);
        Assert.Equal(one.QkMatMulOutput, four.QkMatMulOutput);
    }

    [Fact]
    public void Validation_WrongQueryLength_NamesItWithExpectedAndFound()
    {
        var output = new float[2 * 3 * 4 * 8];
        ArgumentException e = RunInvalid(new ScaledDotProductAttentionArguments
        {
            Batch = 2, QueryLength = 4, KeyLength = 6,
            Query = new float[2 * 3 * 4 * 8 - 8], Key = new float[2 * 3 * 6 * 8], Value = new float[2 * 3 * 6 * 8], Output = output,
        }, output);
        Assert.Equal("Query", e.ParamName);
        Assert.Contains("192", e.Message, StringComparison.Ordinal);
        Assert.Contains("184", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_EachArgument_IsNamed()
    {
        var output = new float[2 * 3 * 4 * 8];
        ScaledDotProductAttentionArguments valid = new()
        {
            Batch = 2, QueryLength = 4, KeyLength = 6,
            Query = new float[2 * 3 * 4 * 8], Key = new float[2 * 3 * 6 * 8], Value = new float[2 * 3 * 6 * 8], Output = output,
        };
        Assert.Equal("Key", RunInvalid(valid with { Key = new float[10] }, output).ParamName);
        Assert.Equal("Value", RunInvalid(valid with { Layout = AttentionLayout.BatchSequenceHidden, Value = new float[10] }, output).ParamName);
        Assert.Equal("Output", RunInvalid(valid with { Output = new float[10] }, output).ParamName);
        Assert.Equal("PastKey", RunInvalid(valid with { PastKey = new float[2 * 3 * 8] }, output).ParamName);
        Assert.Equal("PastValue", RunInvalid(valid with { PastLength = 1, PastKey = new float[2 * 3 * 8] }, output).ParamName);
        Assert.Equal("PresentKey", RunInvalid(valid with { PresentKey = new float[2 * 3 * 6 * 8 + 1] }, output).ParamName);
        Assert.Equal("NonPadKeyLengths", RunInvalid(valid with { NonPadKeyLengths = new long[] { 6, 7 } }, output).ParamName);
        Assert.Equal("NonPadKeyLengths", RunInvalid(valid with { NonPadKeyLengths = new long[] { 6 } }, output).ParamName);
        Assert.Equal("QkMatMulOutput", RunInvalid(valid with { QkMatMulOutput = new float[5] }, output).ParamName);
        Assert.Equal("QkMatMulOutputMode", RunInvalid(valid with { QkMatMulOutputMode = (QkMatMulOutputMode)4 }, output).ParamName);
        Assert.Equal("Softcap", RunInvalid(valid with { Softcap = -1 }, output).ParamName);
        Assert.Equal("Scale", RunInvalid(valid with { Scale = float.NaN }, output).ParamName);
        Assert.Equal("MaskShape", RunInvalid(valid with { AttentionMask = new float[24], MaskShape = new[] { 2, 4, 6 } }, output).ParamName);
        Assert.Equal("MaskShape", RunInvalid(valid with { AttentionMask = new float[28], MaskShape = new[] { 4, 7 } }, output).ParamName);
        Assert.Equal("MaskShape", RunInvalid(valid with { AttentionMask = new float[24] }, output).ParamName);
        Assert.Equal("MaskShape", RunInvalid(valid with { MaskShape = new[] { 4, 6 } }, output).ParamName);
        Assert.Equal("AttentionMask", RunInvalid(valid with { AttentionMask = new float[23], MaskShape = new[] { 4, 6 } }, output).ParamName);
        Assert.Equal("BooleanMask", RunInvalid(valid with { AttentionMask = new float[24], BooleanMask = new bool[24], MaskShape = new[] { 4, 6 } }, output).ParamName);
        Assert.Equal("heads", RunInvalid(valid, output, heads: 0).ParamName);
        Assert.Equal("kvHeads", RunInvalid(valid, output, kvHeads: 2).ParamName);
    }

    [Fact]
    public void ShortMaskLastAxis_MasksTheMissingKeys()
    {
        // A [Sq, 3] mask over 6 keys: keys 3..5 get -inf, so only keys 0..2 contribute (ONNX pads with -inf).
        OnnxAttentionCase c = OnnxAttentionCase.LoadNamed("test_attention_4d");
        float[] zeros = new float[c.QueryLength * 3];
        OnnxAttentionOutputs shortMask = Run(c, mask: (zeros, [c.QueryLength, 3]), mode: QkMatMulOutputMode.AfterMask);
        OnnxAttentionOutputs fullMask = Run(c,
            mask: (Enumerable.Range(0, c.QueryLength * 6).Select(n => n % 6 < 3 ? 0f : float.NegativeInfinity).ToArray(), [c.QueryLength, 6]),
            mode: QkMatMulOutputMode.AfterMask);
        // Not bit-identical: the softmax runs over 3 rather than 6 entries, which vectorizes differently.
        Assert.Equal(fullMask.Y, shortMask.Y, (a, b) => Math.Abs(a - b) <= 1e-6f);
        Assert.Equal(fullMask.QkMatMulOutput!, shortMask.QkMatMulOutput!, (a, b) => a.Equals(b) || Math.Abs(a - b) <= 1e-6f);
        Assert.Equal(float.NegativeInfinity, shortMask.QkMatMulOutput![5]);
    }

    private static ArgumentException RunInvalid(ScaledDotProductAttentionArguments arguments, float[] output, int heads = 3, int kvHeads = 3)
    {
        Array.Fill(output, 7f);
        ReferenceHeadKernels.Use(8, 8);
        ArgumentException e;
        try
        {
            OnnxAttention.Run<ReferenceHeadKernels>(heads, kvHeads, in arguments, KernelPath.Scalar, 1);
            throw new Xunit.Sdk.XunitException("expected an ArgumentException");
        }
        catch (ArgumentException caught)
        {
            e = caught;
        }

        Assert.All(output, v => Assert.Equal(7f, v));
        Assert.Equal(0, ReferenceHeadKernels.ScoredKeys);
        return e;
    }

    /// <summary>Runs the operator over <see cref="ReferenceHeadKernels"/>; by default with exactly the outputs the file expects.</summary>
    private static OnnxAttentionOutputs Run(
        OnnxAttentionCase c, bool withPresent = true, bool forcePresent = false, QkMatMulOutputMode? mode = null, int threads = 1,
        (float[] Mask, int[] Shape)? mask = null)
    {
        bool present = forcePresent || (withPresent && c.Has("output.present_key"));
        bool scores = mode != null || c.Has("output.qk_matmul_output");
        OnnxAttentionOutputs outputs = c.CreateOutputs(present, scores);
        ScaledDotProductAttentionArguments arguments = c.Arguments(outputs, mode, mask);
        ReferenceHeadKernels.Use(c.DimHead, c.ValueDimHead);
        OnnxAttention.Run<ReferenceHeadKernels>(c.Heads, c.KvHeads, in arguments, KernelPath.Scalar, threads);
        return outputs;
    }
}
