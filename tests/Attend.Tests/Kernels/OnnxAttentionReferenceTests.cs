using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Attend.Kernels;
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

    private static string Folder => Path.Combine(AppContext.BaseDirectory, "TestData", "onnx");

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
        OnnxCase c = OnnxCase.Load(name);
        OnnxRun run = c.Run();

        c.AssertClose("output.Y", run.Output);
        if (c.File.Contains("output.present_key"))
        {
            Assert.Equal(c.File.ReadFloat32("output.present_key"), run.PresentKey);
            Assert.Equal(c.File.ReadFloat32("output.present_value"), run.PresentValue);
        }

        if (c.File.Contains("output.qk_matmul_output"))
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
        OnnxCase c = OnnxCase.Load(name);
        Assert.Equal(c.Run().Output, c.Run(withPresent: false).Output);
    }

    [Theory]
    [InlineData("test_attention_4d_gqa")]
    [InlineData("test_attention_3d_diff_heads_sizes")]
    public void PresentWithoutPast_IsTheNewKeysAndValuesHeadMajor(string name)
    {
        OnnxCase c = OnnxCase.Load(name);
        OnnxRun run = c.Run(forcePresent: true);
        c.AssertClose("output.Y", run.Output);
        Assert.Equal(c.HeadMajor(c.Key, c.DimHead), run.PresentKey);
        Assert.Equal(c.HeadMajor(c.Value, c.ValueDimHead), run.PresentValue);
    }

    [Fact]
    public void RawScoresMode_IsBeforeTheSoftcap()
    {
        OnnxCase c = OnnxCase.Load("test_attention_4d_with_qk_matmul_softcap");
        float[] raw = c.Run(mode: QkMatMulOutputMode.RawScores).QkMatMulOutput!;
        float softcap = c.Softcap;
        float[] capped = raw.Select(s => softcap * MathF.Tanh(s / softcap)).ToArray();
        c.AssertClose("output.qk_matmul_output", capped);
        Assert.NotEqual(capped, raw);
    }

    [Fact]
    public void ThreadCount_DoesNotChangeResults()
    {
        OnnxCase c = OnnxCase.Load("test_attention_4d_with_past_and_present_qk_matmul_bias_4d_mask_causal");
        OnnxRun one = c.Run();
        OnnxRun four = c.Run(threads: 4);
        Assert.Equal(one.Output, four.Output);
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
        OnnxCase c = OnnxCase.Load("test_attention_4d");
        float[] zeros = new float[c.QueryLength * 3];
        OnnxRun shortMask = c.Run(mask: (zeros, [c.QueryLength, 3]), mode: QkMatMulOutputMode.AfterMask);
        OnnxRun fullMask = c.Run(
            mask: (Enumerable.Range(0, c.QueryLength * 6).Select(n => n % 6 < 3 ? 0f : float.NegativeInfinity).ToArray(), [c.QueryLength, 6]),
            mode: QkMatMulOutputMode.AfterMask);
        // Not bit-identical: the softmax runs over 3 rather than 6 entries, which vectorizes differently.
        Assert.Equal(fullMask.Output, shortMask.Output, (a, b) => Math.Abs(a - b) <= 1e-6f);
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

    /// <summary>The outputs of one run.</summary>
    private sealed record OnnxRun(float[] Output, float[]? PresentKey, float[]? PresentValue, float[]? QkMatMulOutput);

    /// <summary>One conformance file decoded into the operator's inputs and attributes.</summary>
    private sealed class OnnxCase
    {
        private OnnxCase(TestSafeTensors file) => File = file;

        public TestSafeTensors File { get; }
        public bool IsHalf { get; private init; }
        public AttentionLayout Layout { get; private init; }
        public int Batch { get; private init; }
        public int Heads { get; private init; }
        public int KvHeads { get; private init; }
        public int QueryLength { get; private init; }
        public int KeyLength { get; private init; }
        public int PastLength { get; private init; }
        public int DimHead { get; private init; }
        public int ValueDimHead { get; private init; }
        public bool IsCausal { get; private init; }
        public float Scale { get; private init; }
        public float Softcap { get; private init; }
        public QkMatMulOutputMode Mode { get; private init; }
        public required float[] Query { get; init; }
        public required float[] Key { get; init; }
        public required float[] Value { get; init; }
        public float[]? FloatMask { get; private init; }
        public bool[]? BoolMask { get; private init; }
        public int[]? MaskShape { get; private init; }
        public float[]? PastKey { get; private init; }
        public float[]? PastValue { get; private init; }
        public long[]? NonPad { get; private init; }

        public static OnnxCase Load(string name)
        {
            TestSafeTensors file = TestSafeTensors.Open(Path.Combine(Folder, name + ".safetensors"));
            int[] q = file.Shape("input.Q"), k = file.Shape("input.K"), v = file.Shape("input.V");
            bool hidden = q.Length == 3;
            int heads = hidden ? Attribute(file, "q_num_heads", 0) : q[1];
            int kvHeads = hidden ? Attribute(file, "kv_num_heads", 0) : k[1];
            string? maskType = file.Contains("input.attn_mask") ? file.DType("input.attn_mask") : null;
            return new OnnxCase(file)
            {
                IsHalf = file.DType("input.Q") == "F16",
                Layout = hidden ? AttentionLayout.BatchSequenceHidden : AttentionLayout.BatchHeadSequence,
                Batch = q[0],
                Heads = heads,
                KvHeads = kvHeads,
                QueryLength = hidden ? q[1] : q[2],
                KeyLength = hidden ? k[1] : k[2],
                PastLength = file.Contains("input.past_key") ? file.Shape("input.past_key")[2] : 0,
                DimHead = hidden ? q[2] / heads : q[3],
                ValueDimHead = hidden ? v[2] / kvHeads : v[3],
                IsCausal = Attribute(file, "is_causal", 0) != 0,
                Scale = FloatAttribute(file, "scale"),
                Softcap = FloatAttribute(file, "softcap"),
                Mode = (QkMatMulOutputMode)Attribute(file, "qk_matmul_output_mode", 0),
                Query = file.ReadFloat32("input.Q"),
                Key = file.ReadFloat32("input.K"),
                Value = file.ReadFloat32("input.V"),
                FloatMask = maskType is "F32" or "F16" ? file.ReadFloat32("input.attn_mask") : null,
                BoolMask = maskType == "BOOL" ? file.ReadBool("input.attn_mask") : null,
                MaskShape = maskType != null ? file.Shape("input.attn_mask") : null,
                PastKey = file.Contains("input.past_key") ? file.ReadFloat32("input.past_key") : null,
                PastValue = file.Contains("input.past_value") ? file.ReadFloat32("input.past_value") : null,
                NonPad = file.Contains("input.nonpad_kv_seqlen") ? file.ReadInt64("input.nonpad_kv_seqlen") : null,
            };
        }

        private int Total => PastLength + KeyLength;

        /// <summary>Runs the operator; by default with exactly the outputs the file expects.</summary>
        public OnnxRun Run(
            bool withPresent = true, bool forcePresent = false, QkMatMulOutputMode? mode = null, int threads = 1,
            (float[] Mask, int[] Shape)? mask = null)
        {
            bool present = forcePresent || (withPresent && File.Contains("output.present_key"));
            bool scores = mode != null || File.Contains("output.qk_matmul_output");
            var output = new float[Batch * Heads * QueryLength * ValueDimHead];
            float[]? presentKey = present ? new float[Batch * KvHeads * Total * DimHead] : null;
            float[]? presentValue = present ? new float[Batch * KvHeads * Total * ValueDimHead] : null;
            float[]? qk = scores ? new float[Batch * Heads * QueryLength * Total] : null;
            var arguments = new ScaledDotProductAttentionArguments
            {
                Layout = Layout,
                Batch = Batch,
                QueryLength = QueryLength,
                KeyLength = KeyLength,
                Query = Query,
                Key = Key,
                Value = Value,
                Output = output,
                IsCausal = IsCausal,
                Scale = Scale,
                Softcap = Softcap,
                AttentionMask = mask?.Mask ?? FloatMask,
                BooleanMask = mask != null ? null : BoolMask,
                MaskShape = mask?.Shape ?? MaskShape,
                PastKey = PastKey,
                PastValue = PastValue,
                PastLength = PastLength,
                PresentKey = presentKey,
                PresentValue = presentValue,
                NonPadKeyLengths = NonPad,
                QkMatMulOutput = qk,
                QkMatMulOutputMode = mode ?? Mode,
            };
            ReferenceHeadKernels.Use(DimHead, ValueDimHead);
            OnnxAttention.Run<ReferenceHeadKernels>(Heads, KvHeads, in arguments, KernelPath.Scalar, threads);
            return new OnnxRun(output, presentKey, presentValue, qk);
        }

        /// <summary><paramref name="data"/> (new keys or values, in this case's layout) as <c>[B, Hkv, S, W]</c>.</summary>
        public float[] HeadMajor(float[] data, int width)
        {
            if (Layout == AttentionLayout.BatchHeadSequence)
            {
                return data;
            }

            var result = new float[data.Length];
            for (int b = 0; b < Batch; b++)
            {
                for (int s = 0; s < KeyLength; s++)
                {
                    for (int h = 0; h < KvHeads; h++)
                    {
                        Array.Copy(data, ((b * KeyLength + s) * KvHeads + h) * width, result, ((b * KvHeads + h) * KeyLength + s) * width, width);
                    }
                }
            }

            return result;
        }

        /// <summary>
        /// Compares with the expected tensor: F32 within 1e-5 + 1e-4 × the tensor's scale; F16 (whose expectation was
        /// rounded to half) within 2e-3 relative plus 2e-3 × scale; infinities by equality.
        /// </summary>
        public void AssertClose(string name, float[]? actual)
        {
            Assert.NotNull(actual);
            float[] expected = File.ReadFloat32(name);
            Assert.Equal(expected.Length, actual.Length);
            double scale = expected.Where(float.IsFinite).Select(e => (double)Math.Abs(e)).DefaultIfEmpty(0).Max();
            for (int n = 0; n < expected.Length; n++)
            {
                float e = expected[n], a = actual[n];
                if (!float.IsFinite(e) || !float.IsFinite(a))
                {
                    Assert.True(e.Equals(a), $"{name}[{n}]: expected {e}, got {a}");
                    continue;
                }

                double tolerance = IsHalf ? 2e-3 * (Math.Abs(e) + scale) : 1e-5 + 1e-4 * scale;
                Assert.True(Math.Abs(a - e) <= tolerance, $"{name}[{n}]: expected {e}, got {a} (tolerance {tolerance})");
            }
        }

        private static int Attribute(TestSafeTensors file, string name, int fallback) =>
            file.Metadata.TryGetValue("attr." + name, out string? text) ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

        private static float FloatAttribute(TestSafeTensors file, string name) =>
            file.Metadata.TryGetValue("attr." + name, out string? text) ? float.Parse(text, CultureInfo.InvariantCulture) : 0f;
    }
}
