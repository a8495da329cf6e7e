using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Attend.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace Attend.Tests.Layers;

/// <summary>
/// Every <c>mha_*</c> PyTorch fixture through the generated <c>[MultiHeadAttention]</c> class of its shape, on every
/// kernel path: weights loaded from the file under their <c>state_dict</c> names, output and per-head attention weights
/// compared with <c>torch.nn.MultiheadAttention</c>'s.
/// </summary>
public sealed class MhaFixtureTests(ITestOutputHelper log)
{
    /// <summary>Relative tolerance: max |actual − expected| ≤ 1e-4 · max(1, max |expected|).</summary>
    private const double Tolerance = 1e-4;

    private static string Folder => TestTensors.FixtureFolder;

    private static string[] FixtureNames() =>
        Directory.GetFiles(Folder, "mha_*.safetensors").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order(StringComparer.Ordinal).ToArray();

    /// <summary>Fixture × kernel path.</summary>
    public static TheoryData<string, KernelPath> Cases()
    {
        var data = new TheoryData<string, KernelPath>();
        foreach (string name in FixtureNames())
        {
            foreach (KernelPath path in KernelPaths.All)
            {
                data.Add(name, path);
            }
        }

        return data;
    }

    /// <summary>The key padding fixtures × kernel path.</summary>
    public static TheoryData<string, KernelPath> KeyPaddingCases()
    {
        var data = new TheoryData<string, KernelPath>();
        foreach (string name in FixtureNames().Where(n => n.Contains("key_padding", StringComparison.Ordinal)))
        {
            foreach (KernelPath path in KernelPaths.All)
            {
                data.Add(name, path);
            }
        }

        return data;
    }

    [Fact]
    public void EveryMhaFixtureIsPresent() =>
        Assert.Equal(
            ["mha_cross_medium", "mha_cross_small", "mha_self_causal_medium", "mha_self_causal_small", "mha_self_key_padding_medium",
             "mha_self_key_padding_small", "mha_self_none_medium", "mha_self_none_small"],
            FixtureNames());

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fixture_MatchesPyTorch(string fixture, KernelPath path)
    {
        using SafeTensorsFile file = SafeTensors.Open(Path.Combine(Folder, fixture + ".safetensors"));
        FixtureShape shape = FixtureShape.Of(fixture, file);
        MhaDeclaration declaration = DeclaredLayers.RequireMha(
            shape.ModelDim, shape.Heads, shape.KeyDim, shape.ValueDim, shape.Mask == "causal", shape.Mask == "key_padding", fixture);
        RunAndCompare(fixture, file, shape, declaration, path);
    }

    /// <summary>A layer declared without <c>Mask = KeyPadding</c> still takes the optional mask and must give the same result.</summary>
    [Theory]
    [MemberData(nameof(KeyPaddingCases))]
    public void KeyPaddingFixture_OptionalMaskOnUnmaskedLayer(string fixture, KernelPath path)
    {
        using SafeTensorsFile file = SafeTensors.Open(Path.Combine(Folder, fixture + ".safetensors"));
        FixtureShape shape = FixtureShape.Of(fixture, file);
        MhaDeclaration declaration = DeclaredLayers.RequireMha(shape.ModelDim, shape.Heads, shape.KeyDim, shape.ValueDim, false, false, fixture);
        RunAndCompare(fixture, file, shape, declaration, path);
    }

    private void RunAndCompare(string fixture, SafeTensorsFile file, FixtureShape shape, MhaDeclaration declaration, KernelPath path)
    {
        IMultiHeadAttentionLayer layer = declaration.Create();
        layer.Path = path;
        layer.LoadWeights(file);

        float[] query = file.ReadFloat32(shape.Cross ? "input.query" : "input.x");
        float[] key = shape.Cross ? file.ReadFloat32("input.key") : [];
        float[] value = shape.Cross ? file.ReadFloat32("input.value") : [];
        bool[] keyPadding = [];
        if (shape.Mask == "key_padding")
        {
            keyPadding = file.ReadBool("input.key_padding_mask");
            long[] valid = file.ReadInt64("input.valid_lengths");
            for (int b = 0; b < shape.Batch; b++)
            {
                for (int j = 0; j < shape.KeyLength; j++)
                {
                    Assert.True(keyPadding[b * shape.KeyLength + j] == (j >= valid[b]), $"{fixture}: key_padding_mask[{b}, {j}] disagrees with valid_lengths");
                }
            }

            Assert.Contains(true, keyPadding);
        }
        else if (shape.Mask == "causal")
        {
            // The layer's compile-time causal mask must be the fixture's: U8 1 = masked where key j > query i.
            bool[] mask = file.ReadBool("input.attn_mask");
            for (int i = 0; i < shape.QueryLength; i++)
            {
                for (int j = 0; j < shape.KeyLength; j++)
                {
                    Assert.True(mask[i * shape.KeyLength + j] == (j > i), $"{fixture}: attn_mask[{i}, {j}] is not the causal pattern");
                }
            }
        }

        float[] y = new float[shape.Batch * shape.QueryLength * shape.ModelDim];
        float[] weights = new float[shape.Batch * shape.Heads * shape.QueryLength * shape.KeyLength];
        Array.Fill(y, float.NaN);
        Array.Fill(weights, float.NaN);
        layer.Forward(query, y, shape.Batch, shape.QueryLength, key, value, shape.Cross ? shape.KeyLength : 0, keyPadding, weights);

        double yError = LayerAssert.Close(file.ReadFloat32("output.y"), y, Tolerance, $"{fixture} [{path}] output.y");
        double weightError = LayerAssert.Close(file.ReadFloat32("output.attn_weights"), weights, Tolerance, $"{fixture} [{path}] output.attn_weights");
        log.WriteLine($"{fixture} {declaration.Name} {path}: max |error| y {LayerAssert.Text(yError)}, attn_weights {LayerAssert.Text(weightError)}");
    }

    /// <summary>The fixture's hyper-parameters and sizes, read from its metadata and tensor shapes.</summary>
    private sealed record FixtureShape(int ModelDim, int Heads, int KeyDim, int ValueDim, bool Cross, string Mask, int Batch, int QueryLength, int KeyLength)
    {
        public static FixtureShape Of(string fixture, SafeTensorsFile file)
        {
            string Meta(string key) => file.Metadata.TryGetValue(key, out string? v) ? v : throw new Xunit.Sdk.XunitException($"{fixture}: metadata '{key}' is missing.");
            int Int(string key) => int.Parse(Meta(key), CultureInfo.InvariantCulture);

            Assert.Equal("mha", Meta("kind"));
            Assert.Equal("true", Meta("batch_first"));
            Assert.Equal("true", Meta("bias"));
            bool cross = Meta("attention") switch
            {
                "self" => false,
                "cross" => true,
                string other => throw new Xunit.Sdk.XunitException($"{fixture}: attention = '{other}' is not supported."),
            };
            string mask = Meta("mask");
            Assert.True(mask is "none" or "causal" or "key_padding", $"{fixture}: mask = '{mask}' is not supported.");
            int modelDim = Int("embed_dim");
            int[] query = TestTensors.Dims(file, cross ? "input.query" : "input.x");
            int[] key = TestTensors.Dims(file, cross ? "input.key" : "input.x");
            return new FixtureShape(
                modelDim, Int("heads"), cross ? Int("kdim") : modelDim, cross ? Int("vdim") : modelDim, cross, mask,
                query[0], query[1], key[1]);
        }
    }
}
