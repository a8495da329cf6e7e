using System;
using System.Collections.Generic;
using Attend.Kernels;
using Xunit;

namespace Attend.Tests.FamilyGraph;

/// <summary><c>[NadarayaWatson]</c> against the shared <c>nw_*</c> PyTorch fixtures (d2l.ai's kernel regression) and, for vector inputs, a float64 reference.</summary>
public sealed class NadarayaWatsonTests
{
    public static IEnumerable<object[]> FixtureCases()
    {
        foreach (string name in new[] { "nw_nonparametric_small", "nw_learnable_small", "nw_nonparametric_medium", "nw_learnable_medium" })
        {
            foreach (KernelPath path in KernelPaths.All.ToArray()) yield return new object[] { name, path };
        }
    }

    public static IEnumerable<object[]> Paths()
    {
        foreach (KernelPath path in KernelPaths.All.ToArray()) yield return new object[] { path };
    }

    [Theory]
    [MemberData(nameof(FixtureCases))]
    public void Output_and_attention_weights_match_pytorch(string name, KernelPath path)
    {
        using FamilyFixture fixture = FamilyFixture.Shared(name);
        float[] queries = fixture.Floats("input.queries");
        float[] keys = fixture.Floats("input.keys");
        float[] values = fixture.Floats("input.values");
        var output = new float[queries.Length];
        var attention = new float[queries.Length * keys.Length];

        if (name.Contains("learnable", StringComparison.Ordinal))
        {
            var layer = new NadarayaWatsonLearnable { Path = path };
            layer.LoadWeights(fixture.File);
            Assert.Equal(fixture.Floats("w")[0], layer.Width);
            layer.Forward(queries, keys, values, output, queries.Length, keys.Length, attention);
        }
        else
        {
            new NadarayaWatsonNonParametric { Path = path }.Forward(queries, keys, values, output, queries.Length, keys.Length, attention);
        }

        fixture.AssertClose("y", fixture.Floats("output.y"), output);
        fixture.AssertClose("attn_weights", fixture.Floats("output.attn_weights"), attention);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Vector_queries_and_values_match_the_float64_formula(KernelPath path)
    {
        const int Queries = 13, Keys = 37, D = NadarayaWatsonVectors.Dim, Dv = NadarayaWatsonVectors.ValueDim;
        const double Sigma = 0.7;
        var random = new Random(21);
        float[] queries = Uniform(random, Queries * D);
        float[] keys = Uniform(random, Keys * D);
        float[] values = Uniform(random, Keys * Dv);
        var output = new float[Queries * Dv];
        new NadarayaWatsonVectors { Path = path }.Forward(queries, keys, values, output, Queries, Keys);

        var expected = new double[Queries * Dv];
        for (int i = 0; i < Queries; i++)
        {
            var scores = new double[Keys];
            double max = double.NegativeInfinity, sum = 0;
            for (int j = 0; j < Keys; j++)
            {
                for (int d = 0; d < D; d++)
                {
                    double distance = (queries[i * D + d] - (double)keys[j * D + d]) / Sigma;
                    scores[j] -= distance * distance / 2;
                }

                max = Math.Max(max, scores[j]);
            }

            for (int j = 0; j < Keys; j++) sum += scores[j] = Math.Exp(scores[j] - max);
            for (int j = 0; j < Keys; j++)
            {
                for (int c = 0; c < Dv; c++) expected[i * Dv + c] += scores[j] / sum * values[j * Dv + c];
            }
        }

        FamilyAssert.Close("y", expected, output, 1e-5, 1e-4);
    }

    [Fact]
    public void Bad_lengths_throw_before_writing_and_name_the_argument()
    {
        var layer = new NadarayaWatsonNonParametric();
        var output = new float[4];
        output.AsSpan().Fill(9f);
        ArgumentException error = Assert.Throws<ArgumentException>(() => layer.Forward(new float[4], new float[5], new float[6], output, 4, 5));
        Assert.Equal("values", error.ParamName);
        Assert.Contains("keyCount × ValueDim = 5 × 1", error.Message);
        Assert.All(output, value => Assert.Equal(9f, value));
    }

    private static float[] Uniform(Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(random.NextDouble() * 4 - 2);
        return values;
    }
}
