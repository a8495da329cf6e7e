using System;
using System.Collections.Generic;
using System.Linq;
using Attend;
using Xunit;

namespace Attend.Tests.IO;

/// <summary><see cref="BertCheckpoint.Canonical"/>: the names a BERT checkpoint's savers write, seen as <c>BertModel</c>'s.</summary>
public sealed class BertCheckpointTests
{
    [Theory]
    [InlineData("bert.embeddings.word_embeddings.weight", "embeddings.word_embeddings.weight")]
    [InlineData("embeddings.word_embeddings.weight", "embeddings.word_embeddings.weight")]
    [InlineData("bert.encoder.layer.3.output.LayerNorm.gamma", "encoder.layer.3.output.LayerNorm.weight")]
    [InlineData("encoder.layer.0.attention.output.LayerNorm.beta", "encoder.layer.0.attention.output.LayerNorm.bias")]
    [InlineData("bert.embeddings.LayerNorm.beta", "embeddings.LayerNorm.bias")]
    [InlineData("cls.predictions.transform.dense.weight", "cls.predictions.transform.dense.weight")]
    [InlineData("bert.pooler.dense.bias", "pooler.dense.bias")]
    [InlineData("encoder.layer.0.gamma", "encoder.layer.0.gamma")]
    [InlineData("bertish.pooler.dense.bias", "bertish.pooler.dense.bias")]
    public void Canonical_names_drop_the_task_prefix_and_the_legacy_LayerNorm_spelling(string saved, string canonical) =>
        Assert.Equal(canonical, BertCheckpoint.CanonicalName(saved));

    [Fact]
    public void The_view_lists_reads_and_describes_tensors_under_canonical_names()
    {
        var weights = new WeightDictionary();
        weights.Add("bert.embeddings.LayerNorm.gamma", [1f, 2f], 2);
        weights.Add("bert.embeddings.LayerNorm.beta", [3f, 4f], 2);
        weights.Add("cls.predictions.bias", [5f], 1);
        IWeightSource view = BertCheckpoint.Canonical(weights);

        Assert.Equal(["embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias", "cls.predictions.bias"], view.Names);
        Assert.True(view.TryGetInfo("embeddings.LayerNorm.weight", out TensorInfo info));
        Assert.Equal("embeddings.LayerNorm.weight", info.Name);
        Assert.Equal([2L], info.Shape);
        var values = new float[2];
        view.ReadFloat32("embeddings.LayerNorm.bias", values);
        Assert.Equal([3f, 4f], values);
        Assert.False(view.TryGetInfo("bert.embeddings.LayerNorm.gamma", out _));
        var missing = Assert.Throws<KeyNotFoundException>(() => view.ReadFloat32("embeddings.LayerNorm.gamma", values));
        Assert.Contains("'embeddings.LayerNorm.weight'", missing.Message);
    }

    [Fact]
    public void Two_saved_names_for_one_canonical_tensor_are_refused_naming_both()
    {
        var weights = new WeightDictionary();
        weights.Add("bert.pooler.dense.bias", [1f], 1);
        weights.Add("pooler.dense.bias", [2f], 1);
        var exception = Assert.Throws<ArgumentException>(() => BertCheckpoint.Canonical(weights));
        Assert.Equal("source", exception.ParamName);
        Assert.Contains("'bert.pooler.dense.bias'", exception.Message);
        Assert.Contains("'pooler.dense.bias'", exception.Message);
        Assert.Throws<ArgumentNullException>(() => BertCheckpoint.Canonical(null!));
    }
}
