using System;
using System.IO;
using System.Linq;
using Attend;
using Xunit;

namespace Attend.Tests.Bert;

/// <summary>
/// The small BERT checkpoints of <c>scripts/make_bert_checkpoints.py</c> (TestData/bert): the ONNX export's
/// initializers, anonymous Linear weights included, equal the safetensors state dict tensor for tensor, and the
/// <c>bert.</c>-prefixed, gamma/beta-named save reads as the plain one through <see cref="BertCheckpoint.Canonical"/>.
/// </summary>
public sealed class BertCheckpointFilesTests
{
    public static TheoryData<string, int> Checkpoints() => new() { { "mean_e64", 2 }, { "cls_e96", 2 } };

    private static string PathOf(string checkpoint, string file) => Path.Combine(AppContext.BaseDirectory, "TestData", "bert", checkpoint, file);

    [Theory]
    [MemberData(nameof(Checkpoints))]
    public void Onnx_export_holds_every_state_dict_tensor_by_name_with_Linear_weights_transposed_back(string checkpoint, int layers)
    {
        using SafeTensorsFile stateDict = SafeTensors.Open(PathOf(checkpoint, "model.safetensors"));
        using OnnxWeightsFile onnx = OnnxWeights.Open(PathOf(checkpoint, "model.onnx"));

        Assert.Equal(6 * layers, onnx.RecoveredNames.Count);
        Assert.All(onnx.RecoveredNames.Values, stored => Assert.StartsWith("onnx::MatMul_", stored));
        foreach (TensorInfo expected in stateDict.Tensors)
        {
            Assert.True(onnx.TryGetInfo(expected.Name, out TensorInfo actual), $"{checkpoint}: the ONNX export has no '{expected.Name}'");
            Assert.Equal(expected.Shape, actual.Shape);
            Assert.Equal(stateDict.ReadFloat32(expected.Name), onnx.ReadFloat32(expected.Name));
        }
        Assert.Equal(stateDict.Names.Order(StringComparer.Ordinal), onnx.Names.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Checkpoints))]
    public void Prefixed_legacy_save_reads_as_the_plain_one_under_BertModel_names(string checkpoint, int layers)
    {
        using SafeTensorsFile plain = SafeTensors.Open(PathOf(checkpoint, "model.safetensors"));
        using SafeTensorsFile legacy = SafeTensors.Open(PathOf(checkpoint, "model_prefixed_legacy.safetensors"));
        Assert.Contains(legacy.Names, name => name.EndsWith("LayerNorm.gamma", StringComparison.Ordinal));
        Assert.All(legacy.Names.Where(name => !name.StartsWith("cls.", StringComparison.Ordinal)), name => Assert.StartsWith("bert.", name));

        IWeightSource canonical = BertCheckpoint.Canonical(legacy);
        Assert.Equal(plain.Names.Append("cls.predictions.bias").Order(StringComparer.Ordinal), canonical.Names.Order(StringComparer.Ordinal));
        Assert.Equal(1 + 2 * layers, canonical.Names.Count(name => name.EndsWith("LayerNorm.weight", StringComparison.Ordinal)));
        foreach (TensorInfo expected in plain.Tensors)
        {
            Assert.True(canonical.TryGetInfo(expected.Name, out TensorInfo actual), expected.Name);
            Assert.Equal(expected.Name, actual.Name);
            Assert.Equal(expected.Shape, actual.Shape);
            var values = new float[expected.ElementCount];
            canonical.ReadFloat32(expected.Name, values);
            Assert.Equal(plain.ReadFloat32(expected.Name), values);
        }
    }

    [Theory]
    [MemberData(nameof(Checkpoints))]
    public void Reference_batch_is_padded_mixed_lengths_with_pairs_and_outputs_of_the_checkpoint_size(string checkpoint, int layers)
    {
        using SafeTensorsFile reference = SafeTensors.Open(PathOf(checkpoint, "reference.safetensors"));
        using SafeTensorsFile stateDict = SafeTensors.Open(PathOf(checkpoint, "model.safetensors"));
        Assert.True(stateDict.TryGetInfo($"encoder.layer.{layers - 1}.output.LayerNorm.weight", out TensorInfo norm));
        long hidden = norm.Shape[0];

        long[] mask = reference.ReadInt64("attention_mask");
        Assert.True(reference.TryGetInfo("input_ids", out TensorInfo ids));
        long batch = ids.Shape[0], length = ids.Shape[1];
        long[] lengths = Enumerable.Range(0, (int)batch).Select(b => mask.Skip(b * (int)length).Take((int)length).Sum()).ToArray();
        Assert.True(lengths.Distinct().Count() == lengths.Length && lengths.Min() < length, "sequences of different lengths, padded");
        Assert.Contains(1L, reference.ReadInt64("token_type_ids"));
        Assert.True(reference.TryGetInfo("last_hidden_state", out TensorInfo state));
        Assert.Equal([batch, length, hidden], state.Shape);
        float[] embedding = reference.ReadFloat32("mean_pooled_normalized");
        for (int b = 0; b < batch; b++)
            Assert.Equal(1.0, Math.Sqrt(embedding.Skip(b * (int)hidden).Take((int)hidden).Sum(v => (double)v * v)), 5);
    }
}
