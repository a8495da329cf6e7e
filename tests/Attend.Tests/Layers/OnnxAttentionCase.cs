using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Xunit.Sdk;

namespace Attend.Tests.Layers;

/// <summary>
/// One ONNX <c>Attention</c> conformance file (see the README of the conformance data) decoded, with the library's own
/// <see cref="SafeTensors"/> reader, into a <see cref="ScaledDotProductAttentionArguments"/>'s inputs and attributes.
/// F16 tensors are widened exactly to float32 on the way in (<see cref="SafeTensorsFile.ReadFloat32(string)"/>) and
/// outputs are rounded to half on the way out before they are compared.
/// </summary>
/// <remarks>
/// <see cref="Load"/> refuses, naming the reason, anything it cannot run faithfully: another operator, an attribute or
/// tensor it does not know, a missing input or output, an unsupported dtype or softmax precision.
/// </remarks>
internal sealed class OnnxAttentionCase
{
    private static readonly string[] KnownInputs = ["Q", "K", "V", "attn_mask", "past_key", "past_value", "nonpad_kv_seqlen"];
    private static readonly string[] KnownOutputs = ["Y", "present_key", "present_value", "qk_matmul_output"];
    private static readonly string[] KnownAttributes = ["is_causal", "qk_matmul_output_mode", "softcap", "scale", "q_num_heads", "kv_num_heads", "softmax_precision"];

    /// <summary>The conformance data checked in with the tests (copied to the output folder).</summary>
    public static string DefaultFolder => Path.Combine(AppContext.BaseDirectory, "TestData", "onnx");

    private OnnxAttentionCase(string name, SafeTensorsFile file)
    {
        Name = name;
        File = file;
    }

    /// <summary>The case name (the file name without extension).</summary>
    public string Name { get; }

    /// <summary>The file, held in memory (nothing to dispose).</summary>
    public SafeTensorsFile File { get; }

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

    /// <summary>Total key length T = past + new.</summary>
    public int Total => PastLength + KeyLength;

    /// <summary>Loads <c>DefaultFolder/name.safetensors</c>.</summary>
    public static OnnxAttentionCase LoadNamed(string name) => Load(Path.Combine(DefaultFolder, name + ".safetensors"));

    /// <summary>Loads and checks one conformance file.</summary>
    /// <exception cref="XunitException">The case cannot be run; the message says what is missing or unsupported.</exception>
    public static OnnxAttentionCase Load(string path)
    {
        string name = Path.GetFileNameWithoutExtension(path);
        SafeTensorsFile file = SafeTensors.Load(System.IO.File.ReadAllBytes(path));
        Exception Refuse(string why) => new XunitException($"ONNX case '{name}' cannot be run: {why}");

        if (!file.Metadata.TryGetValue("op_type", out string? opType))
        {
            throw Refuse("its __metadata__ has no op_type.");
        }

        if (opType != "Attention")
        {
            throw Refuse($"op_type is '{opType}'; only the Attention operator has a generated layer ([ScaledDotProductAttention]).");
        }

        if (file.Metadata.TryGetValue("domain", out string? domain) && domain is not ("" or "ai.onnx"))
        {
            throw Refuse($"domain is '{domain}', not ai.onnx.");
        }

        foreach (string key in file.Metadata.Keys.Where(k => k.StartsWith("attr.", StringComparison.Ordinal)))
        {
            if (!KnownAttributes.Contains(key["attr.".Length..]))
            {
                throw Refuse($"attribute '{key["attr.".Length..]}' = {file.Metadata[key]} is not supported (known: {string.Join(", ", KnownAttributes)}).");
            }
        }

        foreach (string tensor in file.Names)
        {
            bool known = tensor.StartsWith("input.", StringComparison.Ordinal) ? KnownInputs.Contains(tensor["input.".Length..])
                : tensor.StartsWith("output.", StringComparison.Ordinal) && KnownOutputs.Contains(tensor["output.".Length..]);
            if (!known)
            {
                throw Refuse($"tensor '{tensor}' is not an Attention input or output this test can pass to the layer.");
            }
        }

        RequireListed(file, "inputs", "input.", Refuse);
        RequireListed(file, "outputs", "output.", Refuse);
        foreach (string required in new[] { "input.Q", "input.K", "input.V", "output.Y" })
        {
            if (!file.TryGetInfo(required, out _))
            {
                throw Refuse($"the tensor '{required}' is missing.");
            }
        }

        TensorDType floatType = Info(file, "input.Q").DType;
        if (floatType is not (TensorDType.F32 or TensorDType.F16))
        {
            throw Refuse($"input.Q is {floatType}; expected F32 or F16.");
        }

        foreach (string tensor in new[] { "input.K", "input.V", "input.past_key", "input.past_value", "output.Y", "output.present_key", "output.present_value", "output.qk_matmul_output" })
        {
            if (file.TryGetInfo(tensor, out TensorInfo? info) && info.DType != floatType)
            {
                throw Refuse($"{tensor} is {info.DType} but input.Q is {floatType}; mixed float types are not supported.");
            }
        }

        int softmaxPrecision = Attribute(file, "softmax_precision", 1);
        if (softmaxPrecision != 1)
        {
            throw Refuse($"softmax_precision = {softmaxPrecision} (TensorProto type id) is not supported: the layer's softmax runs in float32 (id 1).");
        }

        int[] q = Shape(file, "input.Q"), k = Shape(file, "input.K"), v = Shape(file, "input.V");
        if (q.Length is not (3 or 4) || k.Length != q.Length || v.Length != q.Length)
        {
            throw Refuse($"Q, K, V must all be 3-D or all 4-D; they are {Dims(q)}, {Dims(k)}, {Dims(v)}.");
        }

        bool hidden = q.Length == 3;
        if (hidden && (!file.Metadata.ContainsKey("attr.q_num_heads") || !file.Metadata.ContainsKey("attr.kv_num_heads")))
        {
            throw Refuse("3-D Q/K/V need the attributes q_num_heads and kv_num_heads, which are missing.");
        }

        int heads = hidden ? Attribute(file, "q_num_heads", 0) : q[1];
        int kvHeads = hidden ? Attribute(file, "kv_num_heads", 0) : k[1];
        if (heads <= 0 || kvHeads <= 0 || (hidden && (q[2] % heads != 0 || k[2] % kvHeads != 0 || v[2] % kvHeads != 0)))
        {
            throw Refuse($"head counts q_num_heads = {heads}, kv_num_heads = {kvHeads} do not divide Q {Dims(q)}, K {Dims(k)}, V {Dims(v)}.");
        }

        string? maskType = null;
        if (file.TryGetInfo("input.attn_mask", out TensorInfo? maskInfo))
        {
            maskType = maskInfo.DType switch
            {
                TensorDType.F32 or TensorDType.F16 => "float",
                TensorDType.Bool => "bool",
                _ => throw Refuse($"input.attn_mask is {maskInfo.DType}; expected a float or BOOL mask."),
            };
        }

        if (file.TryGetInfo("input.nonpad_kv_seqlen", out TensorInfo? nonPadInfo) && nonPadInfo.DType != TensorDType.I64)
        {
            throw Refuse($"input.nonpad_kv_seqlen is {nonPadInfo.DType}; expected I64.");
        }

        if (file.TryGetInfo("input.past_key", out _) != file.TryGetInfo("input.past_value", out _))
        {
            throw Refuse("past_key and past_value must be given together.");
        }

        int mode = Attribute(file, "qk_matmul_output_mode", 0);
        if (mode is < 0 or > 3)
        {
            throw Refuse($"qk_matmul_output_mode = {mode} is not one of 0..3.");
        }

        return new OnnxAttentionCase(name, file)
        {
            IsHalf = floatType == TensorDType.F16,
            Layout = hidden ? AttentionLayout.BatchSequenceHidden : AttentionLayout.BatchHeadSequence,
            Batch = q[0],
            Heads = heads,
            KvHeads = kvHeads,
            QueryLength = hidden ? q[1] : q[2],
            KeyLength = hidden ? k[1] : k[2],
            PastLength = file.TryGetInfo("input.past_key", out _) ? Shape(file, "input.past_key")[2] : 0,
            DimHead = hidden ? q[2] / heads : q[3],
            ValueDimHead = hidden ? v[2] / kvHeads : v[3],
            IsCausal = Attribute(file, "is_causal", 0) != 0,
            Scale = FloatAttribute(file, "scale"),
            Softcap = FloatAttribute(file, "softcap"),
            Mode = (QkMatMulOutputMode)mode,
            Query = file.ReadFloat32("input.Q"),
            Key = file.ReadFloat32("input.K"),
            Value = file.ReadFloat32("input.V"),
            FloatMask = maskType == "float" ? file.ReadFloat32("input.attn_mask") : null,
            BoolMask = maskType == "bool" ? file.ReadBool("input.attn_mask") : null,
            MaskShape = maskType != null ? Shape(file, "input.attn_mask") : null,
            PastKey = file.TryGetInfo("input.past_key", out _) ? file.ReadFloat32("input.past_key") : null,
            PastValue = file.TryGetInfo("input.past_value", out _) ? file.ReadFloat32("input.past_value") : null,
            NonPad = nonPadInfo != null ? file.ReadInt64("input.nonpad_kv_seqlen") : null,
        };
    }

    /// <summary>Whether the file holds a tensor of that name (e.g. <c>output.present_key</c>).</summary>
    public bool Has(string tensor) => File.TryGetInfo(tensor, out _);

    /// <summary>An expected output widened to float32.</summary>
    public float[] Expected(string tensor) => File.ReadFloat32(tensor);

    /// <summary>
    /// Output buffers for one run, filled with NaN so an element the layer never writes fails the comparison.
    /// <paramref name="present"/> and <paramref name="scores"/> default to what the file expects.
    /// </summary>
    public OnnxAttentionOutputs CreateOutputs(bool? present = null, bool? scores = null)
    {
        bool wantPresent = present ?? (Has("output.present_key") || Has("output.present_value"));
        bool wantScores = scores ?? Has("output.qk_matmul_output");
        return new OnnxAttentionOutputs(
            Filled(Batch * Heads * QueryLength * ValueDimHead),
            wantPresent ? Filled(Batch * KvHeads * Total * DimHead) : null,
            wantPresent ? Filled(Batch * KvHeads * Total * ValueDimHead) : null,
            wantScores ? Filled(Batch * Heads * QueryLength * Total) : null);
    }

    /// <summary>The layer call for this case writing into <paramref name="outputs"/>; <paramref name="mask"/> replaces the file's mask.</summary>
    public ScaledDotProductAttentionArguments Arguments(OnnxAttentionOutputs outputs, QkMatMulOutputMode? mode = null, (float[] Mask, int[] Shape)? mask = null) => new()
    {
        Layout = Layout,
        Batch = Batch,
        QueryLength = QueryLength,
        KeyLength = KeyLength,
        Query = Query,
        Key = Key,
        Value = Value,
        Output = outputs.Y,
        IsCausal = IsCausal,
        Scale = Scale,
        Softcap = Softcap,
        AttentionMask = mask?.Mask ?? FloatMask,
        BooleanMask = mask != null ? null : BoolMask,
        MaskShape = mask?.Shape ?? MaskShape,
        PastKey = PastKey,
        PastValue = PastValue,
        PastLength = PastLength,
        PresentKey = outputs.PresentKey,
        PresentValue = outputs.PresentValue,
        NonPadKeyLengths = NonPad,
        QkMatMulOutput = outputs.QkMatMulOutput,
        QkMatMulOutputMode = mode ?? Mode,
    };

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
    /// Compares with the expected tensor <paramref name="tensor"/>: F32 within 1e-5 + 1e-4 × the tensor's scale (its
    /// largest finite magnitude); F16, after rounding <paramref name="actual"/> to half as ONNX's output would be,
    /// within 2e-3 × (|expected| + scale); infinities by equality.
    /// </summary>
    /// <returns>The largest absolute error over the finite elements.</returns>
    public double AssertClose(string tensor, float[]? actual)
    {
        if (actual == null)
        {
            throw new XunitException($"{Name}: {tensor} was not computed.");
        }

        float[] expected = Expected(tensor);
        if (expected.Length != actual.Length)
        {
            throw new XunitException($"{Name}: {tensor} has {expected.Length} elements, the layer wrote {actual.Length}.");
        }

        double scale = expected.Where(float.IsFinite).Select(e => (double)Math.Abs(e)).DefaultIfEmpty(0).Max();
        double worst = 0;
        for (int n = 0; n < expected.Length; n++)
        {
            float e = expected[n], a = IsHalf ? (float)(Half)actual[n] : actual[n];
            if (!float.IsFinite(e) || !float.IsFinite(a))
            {
                if (!e.Equals(a))
                {
                    throw new XunitException($"{Name}: {tensor}[{n}]: expected {e}, got {a} (non-finite values must match exactly).");
                }

                continue;
            }

            double tolerance = IsHalf ? 2e-3 * (Math.Abs(e) + scale) : 1e-5 + 1e-4 * scale;
            double error = Math.Abs(a - e);
            if (error > tolerance)
            {
                throw new XunitException($"{Name}: {tensor}[{n}]: expected {e}, got {a}; error {LayerAssert.Text(error)} exceeds {LayerAssert.Text(tolerance)}.");
            }

            worst = Math.Max(worst, error);
        }

        return worst;
    }

    /// <summary>Asserts <paramref name="actual"/> equals the expected tensor exactly (present key/value are copies).</summary>
    public void AssertExact(string tensor, float[]? actual)
    {
        if (actual == null)
        {
            throw new XunitException($"{Name}: {tensor} was not computed.");
        }

        float[] expected = Expected(tensor);
        LayerAssert.Identical(expected, IsHalf ? actual.Select(a => (float)(Half)a).ToArray() : actual, $"{Name}: {tensor}");
    }

    public override string ToString() => Name;

    private static float[] Filled(int length)
    {
        var data = new float[length];
        Array.Fill(data, float.NaN);
        return data;
    }

    private static void RequireListed(SafeTensorsFile file, string key, string prefix, Func<string, Exception> refuse)
    {
        if (!file.Metadata.TryGetValue(key, out string? list))
        {
            return;
        }

        foreach (string formal in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!file.TryGetInfo(prefix + formal, out _))
            {
                throw refuse($"its metadata lists {key[..^1]} '{formal}' but the tensor '{prefix + formal}' is missing.");
            }
        }
    }

    private static TensorInfo Info(SafeTensorsFile file, string name) =>
        file.TryGetInfo(name, out TensorInfo? info) ? info : throw new KeyNotFoundException(name);

    private static int[] Shape(SafeTensorsFile file, string name) => Info(file, name).Shape.Select(d => checked((int)d)).ToArray();

    private static string Dims(int[] shape) => "[" + string.Join(", ", shape) + "]";

    private static int Attribute(SafeTensorsFile file, string name, int fallback) =>
        file.Metadata.TryGetValue("attr." + name, out string? text) ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private static float FloatAttribute(SafeTensorsFile file, string name) =>
        file.Metadata.TryGetValue("attr." + name, out string? text) ? float.Parse(text, CultureInfo.InvariantCulture) : 0f;
}

/// <summary>The output buffers of one ONNX attention run.</summary>
internal sealed record OnnxAttentionOutputs(float[] Y, float[]? PresentKey, float[]? PresentValue, float[]? QkMatMulOutput);
