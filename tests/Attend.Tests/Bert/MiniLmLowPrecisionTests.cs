using System;
using Attend.Samples.Embeddings;
using Attend.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Attend.Tests.Bert;

/// <summary>
/// all-MiniLM-L6-v2 with its projection weights in bf16 and int8 (issue 15): the embeddings of the 600-text corpus against
/// the float32 model's, on the widest path (every path computes the same bits for the same stored weights: see
/// <c>PackedProjectionTests</c>).
/// </summary>
public sealed class MiniLmLowPrecisionTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(WeightPrecision.BFloat16, 0.9999)]
    [InlineData(WeightPrecision.Int8, 0.999)]
    [InlineData(WeightPrecision.Int8ByteActivations, 0.999)]
    public void Embeddings_StayCloseToFloat32(WeightPrecision precision, double minimumCosine)
    {
        MiniLmReference reference = MiniLmReference.Instance;
        MiniLM compact = MiniLmPackage.LoadModel(precision);
        MiniLM full = MiniLmPackage.LoadModel();
        double worstCosine = 1, worstError = 0, cosineSum = 0;
        int texts = 0;
        foreach (MiniLmReference.Batch batch in reference.Batches)
        {
            var expected = new float[batch.Count * MiniLmReference.Width];
            var actual = new float[expected.Length];
            full.Embed(batch.InputIds, batch.AttentionMask, expected, batch.Count, batch.Length, batch.TokenTypeIds);
            compact.Embed(batch.InputIds, batch.AttentionMask, actual, batch.Count, batch.Length, batch.TokenTypeIds);
            for (int b = 0; b < batch.Count; b++)
            {
                var e = expected.AsSpan(b * MiniLmReference.Width, MiniLmReference.Width);
                var a = actual.AsSpan(b * MiniLmReference.Width, MiniLmReference.Width);
                double cosine = MiniLmReference.Cosine(e, a);
                worstCosine = Math.Min(worstCosine, cosine);
                cosineSum += cosine;
                for (int i = 0; i < e.Length; i++) worstError = Math.Max(worstError, Math.Abs(e[i] - a[i]));
            }

            texts += batch.Count;
        }

        CiReport.Line(output, $"MiniLM {precision} vs float32: {texts} texts, min cosine {worstCosine:F6}, mean {cosineSum / texts:F6}, max |Δ embedding| {worstError:E2}");
        Assert.True(texts >= 500, $"only {texts} texts");
        Assert.True(worstCosine >= minimumCosine, $"{precision}: lowest embedding cosine {worstCosine:F6} < {minimumCosine}");
    }

    [Fact]
    public void WeightPrecision_StartsAtTheAttributeAndChangesTheNextLoad()
    {
        var model = new MiniLM();
        Assert.Equal(WeightPrecision.Float32, model.WeightPrecision);
        MiniLM int8 = MiniLmPackage.LoadModel(WeightPrecision.Int8);
        Assert.Equal(WeightPrecision.Int8, int8.WeightPrecision);
        // The same ids give different embeddings at int8 than at float32 (the weights really changed), yet close ones.
        int[] ids = [101, 7592, 2088, 102], mask = [1, 1, 1, 1];
        var a = new float[MiniLmReference.Width];
        var b = new float[MiniLmReference.Width];
        MiniLmReference.Instance.Model.Embed(ids, mask, a, 1, 4);
        int8.Embed(ids, mask, b, 1, 4);
        Assert.NotEqual(a, b);
        Assert.True(MiniLmReference.Cosine(a, b) > 0.999);
    }

}
