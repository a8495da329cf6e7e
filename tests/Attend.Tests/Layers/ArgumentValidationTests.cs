using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Xunit;

namespace Attend.Tests.Layers;

/// <summary>
/// The generated layers' argument checks: every <c>Forward</c> argument of the wrong length or sign throws
/// <see cref="ArgumentException"/> (or <see cref="ArgumentOutOfRangeException"/>) whose <c>ParamName</c> is that argument,
/// before any output is written; <c>LoadWeights</c> names a missing tensor, gives both shapes of a wrong one, and leaves
/// the layer unchanged when it fails.
/// </summary>
public sealed class ArgumentValidationTests
{
    private const float Sentinel = 7f;

    // ---- MultiHeadAttention.Forward ----

    /// <summary>A Forward call with arrays, so a test can vary one argument (spans cannot be captured in lambdas).</summary>
    private sealed record MhaCall(float[] Query, float[] Output, int Batch, int QueryLength, float[]? Key = null, float[]? Value = null,
        int KeyLength = 0, bool[]? KeyPaddingMask = null, float[]? AttentionWeights = null)
    {
        public void Invoke(IMultiHeadAttentionLayer layer) =>
            layer.Forward(Query, Output, Batch, QueryLength, Key, Value, KeyLength, KeyPaddingMask, AttentionWeights);
    }

    // MhaE15H3 self-attention, batch 2 × 3 rows: query/output 2·3·15 = 90, weights 2·3·3·3 = 54, mask 2·3 = 6.
    private static MhaCall SelfCall() => new(new float[90], Filled(90), 2, 3, KeyPaddingMask: new bool[6], AttentionWeights: Filled(54));

    // Cross-attention, batch 2 × 3 queries × 5 keys: key/value 2·5·15 = 150, weights 2·3·3·5 = 90, mask 2·5 = 10.
    private static MhaCall CrossCall() => new(new float[90], Filled(90), 2, 3, new float[150], new float[150], 5, new bool[10], Filled(90));

    public static TheoryData<string, string, string?> MhaCases() => new()
    {
        // case, ParamName, a number the message must contain (the expected size)
        { "query too short", "query", "90" },
        { "query too long", "query", "90" },
        { "output too short", "output", "90" },
        { "output too long", "output", "90" },
        { "batch 0", "batch", null },
        { "batch negative", "batch", null },
        { "queryLength 0", "queryLength", null },
        { "queryLength negative", "queryLength", null },
        { "queryLength inconsistent with query", "query", "120" },
        { "self: value without key", "value", null },
        { "self: keyLength differs from queryLength", "keyLength", null },
        { "self: keyPaddingMask wrong", "keyPaddingMask", "6" },
        { "self: attentionWeights wrong", "attentionWeights", "54" },
        { "cross: key too short", "key", "150" },
        { "cross: value too long", "value", "150" },
        { "cross: keyLength 0", "keyLength", null },
        { "cross: keyLength negative", "keyLength", null },
        { "cross: keyLength inconsistent with key", "key", "180" },
        { "cross: keyPaddingMask sized for self-attention", "keyPaddingMask", "10" },
        { "cross: attentionWeights sized for self-attention", "attentionWeights", "90" },
    };

    [Theory]
    [MemberData(nameof(MhaCases))]
    public void Mha_WrongArgument_IsNamedAndNothingIsWritten(string name, string paramName, string? expectedSize)
    {
        MhaCall self = SelfCall();
        MhaCall cross = CrossCall();
        MhaCall call = name switch
        {
            "query too short" => self with { Query = new float[89] },
            "query too long" => self with { Query = new float[91] },
            "output too short" => self with { Output = Filled(89) },
            "output too long" => self with { Output = Filled(91) },
            "batch 0" => self with { Batch = 0 },
            "batch negative" => self with { Batch = -1 },
            "queryLength 0" => self with { QueryLength = 0 },
            "queryLength negative" => self with { QueryLength = -3 },
            "queryLength inconsistent with query" => self with { QueryLength = 4, KeyPaddingMask = null, AttentionWeights = null },
            "self: value without key" => self with { Value = new float[90] },
            "self: keyLength differs from queryLength" => self with { KeyLength = 4 },
            "self: keyPaddingMask wrong" => self with { KeyPaddingMask = new bool[7] },
            "self: attentionWeights wrong" => self with { AttentionWeights = Filled(55) },
            "cross: key too short" => cross with { Key = new float[149] },
            "cross: value too long" => cross with { Value = new float[151] },
            "cross: keyLength 0" => cross with { KeyLength = 0 },
            "cross: keyLength negative" => cross with { KeyLength = -5 },
            "cross: keyLength inconsistent with key" => cross with { KeyLength = 6 },
            "cross: keyPaddingMask sized for self-attention" => cross with { KeyPaddingMask = new bool[6] },
            "cross: attentionWeights sized for self-attention" => cross with { AttentionWeights = Filled(54) },
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown case"),
        };

        foreach (MhaDeclaration declaration in new[] { DeclaredLayers.Mha[nameof(MhaE15H3)], DeclaredLayers.Mha[nameof(MhaE15H3Causal)] })
        {
            IMultiHeadAttentionLayer layer = declaration.Create();
            ArgumentException e = AssertThrowsArgument(() => call.Invoke(layer), $"{declaration.Name}, {name}");
            Assert.Equal(paramName, e.ParamName);
            if (expectedSize != null)
            {
                Assert.Contains(expectedSize, e.Message, StringComparison.Ordinal);
            }

            AssertUntouched(call.Output, "output");
            AssertUntouched(call.AttentionWeights, "attentionWeights");
        }
    }

    [Fact]
    public void Mha_ValidCalls_DoNotThrow()
    {
        IMultiHeadAttentionLayer layer = new MhaE15H3();
        SelfCall().Invoke(layer);
        CrossCall().Invoke(layer);
        (SelfCall() with { KeyLength = 3, KeyPaddingMask = null, AttentionWeights = null }).Invoke(layer);
    }

    [Fact]
    public void Mha_RequiredKeyPaddingMask_IsNamedWhenMissing()
    {
        IMultiHeadAttentionLayer layer = new MhaE15H3KeyPadding();
        MhaCall call = SelfCall() with { KeyPaddingMask = null };
        ArgumentException e = AssertThrowsArgument(() => call.Invoke(layer), "missing keyPaddingMask");
        Assert.Equal("keyPaddingMask", e.ParamName);
        AssertUntouched(call.Output, "output");
        AssertUntouched(call.AttentionWeights, "attentionWeights");
        SelfCall().Invoke(layer); // with the mask it runs
    }

    [Fact]
    public void Mha_SeparateKeyAndValueWidths_RequireKeyAndValue()
    {
        // MhaE20H2D7Kv10V6: ModelDim 20, KeyDim 10, ValueDim 6, 2 heads; batch 1 × 2 queries × 3 keys.
        IMultiHeadAttentionLayer layer = new MhaE20H2D7Kv10V6();
        float[] output = Filled(40);
        float[] weights = Filled(12);
        var valid = new MhaCall(new float[40], output, 1, 2, new float[30], new float[18], 3, new bool[3], weights);
        valid.Invoke(layer);

        Array.Fill(output, Sentinel);
        Array.Fill(weights, Sentinel);
        (string ParamName, MhaCall Call)[] cases =
        [
            ("key", valid with { Key = null, Value = null, KeyLength = 0 }),
            ("value", valid with { Value = null }),
            ("key", valid with { Key = new float[40] }), // sized for ModelDim instead of KeyDim
            ("value", valid with { Value = new float[30] }), // sized for KeyDim instead of ValueDim
            ("keyPaddingMask", valid with { KeyPaddingMask = null }),
        ];
        foreach ((string paramName, MhaCall call) in cases)
        {
            ArgumentException e = AssertThrowsArgument(() => call.Invoke(layer), paramName);
            Assert.Equal(paramName, e.ParamName);
            AssertUntouched(output, "output");
            AssertUntouched(weights, "attentionWeights");
        }
    }

    // ---- ScaledDotProductAttention.Forward (fields of ScaledDotProductAttentionArguments) ----

    public static TheoryData<string, string> SdpaCases() => new()
    {
        { "Query too short", "Query" },
        { "Key too long", "Key" },
        { "Value too short", "Value" },
        { "Value 3-D too short", "Value" },
        { "Output too short", "Output" },
        { "Batch negative", "Batch" },
        { "QueryLength negative", "QueryLength" },
        { "QueryLength inconsistent", "Query" },
        { "KeyLength negative", "KeyLength" },
        { "KeyLength inconsistent", "Key" },
        { "PastLength negative", "PastLength" },
        { "PastKey without PastLength", "PastKey" },
        { "PastValue wrong", "PastValue" },
        { "PresentKey wrong", "PresentKey" },
        { "PresentValue wrong", "PresentValue" },
        { "NonPadKeyLengths wrong length", "NonPadKeyLengths" },
        { "NonPadKeyLengths beyond T", "NonPadKeyLengths" },
        { "NonPadKeyLengths negative", "NonPadKeyLengths" },
        { "QkMatMulOutput wrong", "QkMatMulOutput" },
        { "QkMatMulOutputMode undefined", "QkMatMulOutputMode" },
        { "Scale NaN", "Scale" },
        { "Scale infinite", "Scale" },
        { "Softcap negative", "Softcap" },
        { "Softcap NaN", "Softcap" },
        { "MaskShape without mask", "MaskShape" },
        { "MaskShape missing", "MaskShape" },
        { "MaskShape too many dimensions", "MaskShape" },
        { "MaskShape last axis too long", "MaskShape" },
        { "MaskShape cannot broadcast", "MaskShape" },
        { "AttentionMask wrong length", "AttentionMask" },
        { "BooleanMask wrong length", "BooleanMask" },
        { "both masks", "BooleanMask" },
        { "Layout undefined", "Layout" },
    };

    [Theory]
    [MemberData(nameof(SdpaCases))]
    public void Sdpa_WrongField_IsNamedAndNothingIsWritten(string name, string paramName)
    {
        // SdpaH3D8: batch 2, 3 heads, 4 queries, 6 keys, D = Dv = 8.
        float[] output = Filled(2 * 3 * 4 * 8), presentKey = Filled(2 * 3 * 6 * 8), presentValue = Filled(2 * 3 * 6 * 8), scores = Filled(2 * 3 * 4 * 6);
        var valid = new ScaledDotProductAttentionArguments
        {
            Batch = 2, QueryLength = 4, KeyLength = 6,
            Query = new float[2 * 3 * 4 * 8], Key = new float[2 * 3 * 6 * 8], Value = new float[2 * 3 * 6 * 8],
            Output = output, PresentKey = presentKey, PresentValue = presentValue, QkMatMulOutput = scores,
        };
        IScaledDotProductAttentionLayer layer = new SdpaH3D8();
        layer.Forward(valid);
        Array.Fill(output, Sentinel);
        Array.Fill(presentKey, Sentinel);
        Array.Fill(presentValue, Sentinel);
        Array.Fill(scores, Sentinel);

        ScaledDotProductAttentionArguments invalid = name switch
        {
            "Query too short" => valid with { Query = new float[191] },
            "Key too long" => valid with { Key = new float[289] },
            "Value too short" => valid with { Value = new float[287] },
            "Value 3-D too short" => valid with { Layout = AttentionLayout.BatchSequenceHidden, Value = new float[10] },
            "Output too short" => valid with { Output = Filled(191) },
            "Batch negative" => valid with { Batch = -1 },
            "QueryLength negative" => valid with { QueryLength = -4 },
            "QueryLength inconsistent" => valid with { QueryLength = 5 },
            "KeyLength negative" => valid with { KeyLength = -6 },
            "KeyLength inconsistent" => valid with { KeyLength = 5 },
            "PastLength negative" => valid with { PastLength = -1 },
            "PastKey without PastLength" => valid with { PastKey = new float[2 * 3 * 2 * 8], PastValue = new float[2 * 3 * 2 * 8] },
            "PastValue wrong" => valid with { PastLength = 2, PastKey = new float[2 * 3 * 2 * 8], PastValue = new float[2 * 3 * 2 * 8 - 1] },
            "PresentKey wrong" => valid with { PresentKey = new float[2 * 3 * 6 * 8 + 1] },
            "PresentValue wrong" => valid with { PresentValue = new float[2 * 3 * 5 * 8] },
            "NonPadKeyLengths wrong length" => valid with { NonPadKeyLengths = new long[] { 6 } },
            "NonPadKeyLengths beyond T" => valid with { NonPadKeyLengths = new long[] { 6, 7 } },
            "NonPadKeyLengths negative" => valid with { NonPadKeyLengths = new long[] { -1, 6 } },
            "QkMatMulOutput wrong" => valid with { QkMatMulOutput = new float[2 * 3 * 4 * 6 - 1] },
            "QkMatMulOutputMode undefined" => valid with { QkMatMulOutputMode = (QkMatMulOutputMode)4 },
            "Scale NaN" => valid with { Scale = float.NaN },
            "Scale infinite" => valid with { Scale = float.PositiveInfinity },
            "Softcap negative" => valid with { Softcap = -1 },
            "Softcap NaN" => valid with { Softcap = float.NaN },
            "MaskShape without mask" => valid with { MaskShape = new[] { 4, 6 } },
            "MaskShape missing" => valid with { AttentionMask = new float[24] },
            "MaskShape too many dimensions" => valid with { AttentionMask = new float[48], MaskShape = new[] { 1, 2, 1, 4, 6 } },
            "MaskShape last axis too long" => valid with { AttentionMask = new float[28], MaskShape = new[] { 4, 7 } },
            "MaskShape cannot broadcast" => valid with { AttentionMask = new float[48], MaskShape = new[] { 2, 4, 6 } },
            "AttentionMask wrong length" => valid with { AttentionMask = new float[23], MaskShape = new[] { 4, 6 } },
            "BooleanMask wrong length" => valid with { BooleanMask = new bool[25], MaskShape = new[] { 4, 6 } },
            "both masks" => valid with { AttentionMask = new float[24], BooleanMask = new bool[24], MaskShape = new[] { 4, 6 } },
            "Layout undefined" => valid with { Layout = (AttentionLayout)2 },
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown case"),
        };

        ArgumentException? caught = null;
        try
        {
            layer.Forward(invalid);
        }
        catch (ArgumentException e)
        {
            caught = e;
        }

        Assert.True(caught != null, $"{name}: expected an ArgumentException");
        Assert.Equal(paramName, caught.ParamName);
        AssertUntouched(output, "Output");
        AssertUntouched(presentKey, "PresentKey");
        AssertUntouched(presentValue, "PresentValue");
        AssertUntouched(scores, "QkMatMulOutput");
    }

    // ---- LoadWeights ----

    public static TheoryData<string, string> MissingTensors() => new()
    {
        { nameof(MhaE15H3), "in_proj_weight" },
        { nameof(MhaE15H3), "in_proj_bias" },
        { nameof(MhaE15H3), "out_proj.weight" },
        { nameof(MhaE15H3), "out_proj.bias" },
        { nameof(MhaE20H2D7Kv10V6), "q_proj_weight" },
        { nameof(MhaE20H2D7Kv10V6), "k_proj_weight" },
        { nameof(MhaE20H2D7Kv10V6), "v_proj_weight" },
        { nameof(MhaE20H2D7Kv10V6), "out_proj.weight" },
    };

    [Theory]
    [MemberData(nameof(MissingTensors))]
    public void LoadWeights_MissingTensor_ThrowsKeyNotFoundNamingIt(string layerName, string missing)
    {
        MhaDeclaration declaration = DeclaredLayers.Mha[layerName];
        MhaWeights weights = MhaWeights.Random(declaration, 1);
        foreach (string prefix in new[] { "", "layers.0.self_attn." })
        {
            WeightDictionary source = Build(weights.Tensors(declaration, prefix).Where(t => t.Name != prefix + missing));
            KeyNotFoundException e = Assert.Throws<KeyNotFoundException>(() => declaration.Create().LoadWeights(source, prefix));
            Assert.Contains("'" + prefix + missing + "'", e.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(nameof(MhaE15H3), "in_proj_weight", new long[] { 45, 14 }, "[45, 15]")]
    [InlineData(nameof(MhaE15H3), "in_proj_weight", new long[] { 15, 45 }, "[45, 15]")]
    [InlineData(nameof(MhaE15H3), "in_proj_bias", new long[] { 45, 1 }, "[45]")]
    [InlineData(nameof(MhaE15H3), "out_proj.weight", new long[] { 225 }, "[15, 15]")]
    [InlineData(nameof(MhaE15H3), "out_proj.bias", new long[] { 16 }, "[15]")]
    [InlineData(nameof(MhaE20H2D7Kv10V6), "k_proj_weight", new long[] { 14, 20 }, "[14, 10]")]
    [InlineData(nameof(MhaE20H2D7Kv10V6), "v_proj_weight", new long[] { 14, 7 }, "[14, 6]")]
    [InlineData(nameof(MhaE20H2D7Kv10V6), "out_proj.weight", new long[] { 14, 20 }, "[20, 14]")]
    public void LoadWeights_WrongShape_ThrowsInvalidDataWithBothShapes(string layerName, string tensor, long[] shape, string expectedShape)
    {
        MhaDeclaration declaration = DeclaredLayers.Mha[layerName];
        MhaWeights weights = MhaWeights.Random(declaration, 2);
        WeightDictionary source = Build(weights.Tensors(declaration).Select(t =>
            t.Name == tensor ? (t.Name, new float[shape.Aggregate(1L, (a, d) => a * d)], shape) : t));
        InvalidDataException e = Assert.Throws<InvalidDataException>(() => declaration.Create().LoadWeights(source));
        Assert.Contains(tensor, e.Message, StringComparison.Ordinal);
        Assert.Contains(TensorInfo.FormatShape(shape), e.Message, StringComparison.Ordinal);
        Assert.Contains(expectedShape, e.Message, StringComparison.Ordinal);
    }

    /// <summary>A failed load applies nothing: the layer computes exactly what it did before.</summary>
    [Theory]
    [InlineData(nameof(MhaE15H3), "out_proj.bias")]
    [InlineData(nameof(MhaE20H2D7Kv10V6), "out_proj.weight")]
    public void LoadWeights_Failure_LeavesTheLayerUnchanged(string layerName, string lastTensor)
    {
        MhaDeclaration declaration = DeclaredLayers.Mha[layerName];
        IMultiHeadAttentionLayer layer = declaration.Create();
        layer.LoadWeights(MhaWeights.Random(declaration, 3).ToSource(declaration));

        var random = new Random(4);
        int batch = 2, length = 3;
        float[] query = TestTensors.Uniform(random, batch * length * declaration.ModelDim, 1);
        float[] key = declaration.PackedProjection ? [] : TestTensors.Uniform(random, batch * length * declaration.KeyDim, 1);
        float[] value = declaration.PackedProjection ? [] : TestTensors.Uniform(random, batch * length * declaration.ValueDim, 1);
        bool[] padding = new bool[batch * length];
        float[] Run()
        {
            var y = new float[batch * length * declaration.ModelDim];
            layer.Forward(query, y, batch, length, key, value, declaration.PackedProjection ? 0 : length, padding);
            return y;
        }

        float[] before = Run();
        MhaWeights other = MhaWeights.Random(declaration, 5);
        WeightDictionary broken = Build(other.Tensors(declaration).Select(t => t.Name == lastTensor ? (t.Name, new float[t.Data.Length + 1], [t.Data.Length + 1]) : t));
        Assert.Throws<InvalidDataException>(() => layer.LoadWeights(broken));
        LayerAssert.Identical(before, Run(), $"{layerName} output after a failed LoadWeights");

        layer.LoadWeights(other.ToSource(declaration));
        Assert.NotEqual(before, Run()); // the weights do matter, so the check above could fail
    }

    [Fact]
    public void LoadWeights_NullArguments_Throw()
    {
        IMultiHeadAttentionLayer layer = new MhaE15H3();
        Assert.Throws<ArgumentNullException>(() => layer.LoadWeights(null!));
        Assert.Throws<ArgumentNullException>(() => layer.LoadWeights(new WeightDictionary(), null!));
    }

    private static WeightDictionary Build(IEnumerable<(string Name, float[] Data, long[] Shape)> tensors)
    {
        var source = new WeightDictionary();
        foreach ((string name, float[] data, long[] shape) in tensors)
        {
            source.Add(name, data, shape);
        }

        return source;
    }

    private static float[] Filled(int length) => TestTensors.Filled(length, Sentinel);

    private static ArgumentException AssertThrowsArgument(Action action, string what)
    {
        try
        {
            action();
        }
        catch (ArgumentException e)
        {
            return e;
        }

        throw new Xunit.Sdk.XunitException($"{what}: expected an ArgumentException, nothing was thrown.");
    }

    private static void AssertUntouched(float[]? data, string what)
    {
        if (data == null)
        {
            return;
        }

        for (int n = 0; n < data.Length; n++)
        {
            if (BitConverter.SingleToInt32Bits(data[n]) != BitConverter.SingleToInt32Bits(Sentinel))
            {
                throw new Xunit.Sdk.XunitException($"{what}[{n}] was written ({data[n]}) although the call threw.");
            }
        }
    }
}
