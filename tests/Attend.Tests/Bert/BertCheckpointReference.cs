using System;
using System.IO;
using System.Linq;

namespace Attend.Tests.Bert;

/// <summary>One of TestData/bert's checkpoints: its weight files and the padded batch PyTorch ran with its outputs.</summary>
internal sealed class BertCheckpointReference
{
    public const string MeanE64 = "mean_e64";
    public const string ClsE96 = "cls_e96";

    /// <summary>The three files one checkpoint is saved as.</summary>
    public static readonly string[] WeightFiles = ["model.safetensors", "model_prefixed_legacy.safetensors", "model.onnx"];

    private BertCheckpointReference(string folder)
    {
        Folder = folder;
        using SafeTensorsFile file = SafeTensors.Open(PathOf("reference.safetensors"));
        if (!file.TryGetInfo("input_ids", out TensorInfo ids)) throw new InvalidDataException($"{folder}: reference.safetensors has no input_ids.");
        Batch = (int)ids.Shape[0];
        Length = (int)ids.Shape[1];
        InputIds = Integers(file, "input_ids");
        AttentionMask = Integers(file, "attention_mask");
        TokenTypeIds = Integers(file, "token_type_ids");
        LastHiddenState = file.ReadFloat32("last_hidden_state");
        MeanPooledNormalized = file.ReadFloat32("mean_pooled_normalized");
        Cls = file.ReadFloat32("cls");
        PoolerOutput = file.TryGetInfo("pooler_output", out _) ? file.ReadFloat32("pooler_output") : [];
    }

    public string Folder { get; }
    public int Batch { get; }
    public int Length { get; }
    public int[] InputIds { get; }
    public int[] AttentionMask { get; }
    public int[] TokenTypeIds { get; }
    public float[] LastHiddenState { get; }
    public float[] MeanPooledNormalized { get; }
    public float[] Cls { get; }
    public float[] PoolerOutput { get; }

    public static BertCheckpointReference Load(string folder) => new(folder);

    public string PathOf(string file) => System.IO.Path.Combine(AppContext.BaseDirectory, "TestData", "bert", Folder, file);

    /// <summary>Opens one of <see cref="WeightFiles"/> as a weight source.</summary>
    public IWeightSource OpenWeights(string file) =>
        file.EndsWith(".onnx", StringComparison.Ordinal) ? OnnxWeights.Open(PathOf(file)) : SafeTensors.Open(PathOf(file));

    private static int[] Integers(SafeTensorsFile file, string name) => file.ReadFloat32(name).Select(v => checked((int)v)).ToArray();
}
