using System;
using System.Linq;
using Attend.Tests.Blocks;
using Xunit;

namespace Attend.Tests.Bert;

/// <summary>
/// <c>[BertModel]</c> against PyTorch on the repo's small BERT checkpoints, each loaded from all three of its files
/// (HF safetensors, a <c>bert.</c>-prefixed legacy-named copy, the ONNX export), on every kernel path.
/// </summary>
public sealed class BertModelCheckpointTests
{
    // float32 PyTorch against float32 Attend, summed in other orders: the blocks' fixture tolerance.
    private const double Atol = 2e-5, Rtol = 1e-4;

    public static TheoryData<string, KernelPath> FilesAndPaths()
    {
        var data = new TheoryData<string, KernelPath>();
        foreach (string file in BertCheckpointReference.WeightFiles)
        {
            foreach (KernelPath path in Attend.Kernels.KernelPaths.All) data.Add(file, path);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FilesAndPaths))]
    public void MeanPooledModel_MatchesPyTorch(string file, KernelPath path)
    {
        var reference = BertCheckpointReference.Load(BertCheckpointReference.MeanE64);
        var model = new MeanBertE64 { Path = path };
        Load(model.LoadWeights, reference, file);

        float[] hidden = new float[reference.Batch * reference.Length * MeanBertE64.ModelDim];
        model.Forward(reference.InputIds, reference.AttentionMask, hidden, reference.Batch, reference.Length, reference.TokenTypeIds);
        BlockFixtures.AssertClose(reference.LastHiddenState, hidden, Atol, Rtol);

        float[] embeddings = new float[reference.Batch * MeanBertE64.ModelDim];
        model.Embed(reference.InputIds, reference.AttentionMask, embeddings, reference.Batch, reference.Length, reference.TokenTypeIds);
        BlockFixtures.AssertClose(reference.MeanPooledNormalized, embeddings, Atol, Rtol);
    }

    [Theory]
    [MemberData(nameof(FilesAndPaths))]
    public void ClsAndPoolerModels_MatchPyTorch(string file, KernelPath path)
    {
        var reference = BertCheckpointReference.Load(BertCheckpointReference.ClsE96);
        var cls = new ClsBertE96 { Path = path };
        var pooler = new PoolerBertE96 { Path = path };
        Load(cls.LoadWeights, reference, file);
        Load(pooler.LoadWeights, reference, file);

        float[] hidden = new float[reference.Batch * reference.Length * ClsBertE96.ModelDim];
        cls.Forward(reference.InputIds, reference.AttentionMask, hidden, reference.Batch, reference.Length, reference.TokenTypeIds);
        BlockFixtures.AssertClose(reference.LastHiddenState, hidden, Atol, Rtol);

        float[] embeddings = new float[reference.Batch * ClsBertE96.ModelDim];
        cls.Embed(reference.InputIds, reference.AttentionMask, embeddings, reference.Batch, reference.Length, reference.TokenTypeIds);
        BlockFixtures.AssertClose(reference.Cls, embeddings, Atol, Rtol);
        pooler.Embed(reference.InputIds, reference.AttentionMask, embeddings, reference.Batch, reference.Length, reference.TokenTypeIds);
        BlockFixtures.AssertClose(reference.PoolerOutput, embeddings, Atol, Rtol);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void MaxPooling_IsTheMaximumOverRealTokens(KernelPath path)
    {
        var reference = BertCheckpointReference.Load(BertCheckpointReference.MeanE64);
        var model = new MaxBertE64 { Path = path };
        Load(model.LoadWeights, reference, "model.safetensors");
        const int Width = MaxBertE64.ModelDim;
        float[] expected = new float[reference.Batch * Width];
        for (int b = 0; b < reference.Batch; b++)
        {
            for (int i = 0; i < Width; i++)
            {
                expected[b * Width + i] = Enumerable.Range(0, reference.Length)
                    .Where(t => reference.AttentionMask[b * reference.Length + t] == 1)
                    .Max(t => reference.LastHiddenState[(b * reference.Length + t) * Width + i]);
            }
        }

        float[] embeddings = new float[reference.Batch * Width];
        model.Embed(reference.InputIds, reference.AttentionMask, embeddings, reference.Batch, reference.Length, reference.TokenTypeIds);
        BlockFixtures.AssertClose(expected, embeddings, Atol, Rtol);
    }

    public static TheoryData<KernelPath> Paths() => BlockFixtures.Paths();

    private static void Load(Action<IWeightSource, string> loadWeights, BertCheckpointReference reference, string file)
    {
        IWeightSource weights = reference.OpenWeights(file);
        try
        {
            loadWeights(weights, "");
        }
        finally
        {
            (weights as IDisposable)?.Dispose();
        }
    }
}
