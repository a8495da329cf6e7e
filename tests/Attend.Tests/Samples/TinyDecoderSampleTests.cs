using System;
using System.Globalization;
using System.IO;
using Attend.Samples.TinyDecoder;
using Xunit;

namespace Attend.Tests.Samples;

/// <summary>
/// The TinyDecoder sample: greedy KV-cache decoding reproduces PyTorch's answers and accuracy, and gives exactly the
/// tokens that recomputing the prefix every step gives, greedy and sampled.
/// </summary>
public sealed class TinyDecoderSampleTests
{
    private static SafeTensorsFile Open(string folder, string name) => SafeTensors.Open(Path.Combine(AppContext.BaseDirectory, folder, name));

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector128)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void GreedyCachedDecoding_ReproducesPyTorchsAnswersAndAccuracy(KernelPath path)
    {
        using SafeTensorsFile weights = Open("weights", "sorting_decoder.safetensors");
        using SafeTensorsFile data = Open("data", "sorting_test.safetensors");
        var model = new SortingModel(weights) { Path = path };
        byte[] prompts = Bytes(data.ReadInt64("prompts"));
        byte[] answers = Bytes(data.ReadInt64("answers"));
        byte[] pytorch = Bytes(data.ReadInt64("pytorch_greedy"));
        int count = prompts.Length / SortingModel.Digits;
        byte[] decoded = new byte[answers.Length];

        model.Generate(prompts, count, decoded, model.CreateCache(count), Sampler.Greedy);

        Assert.Equal(pytorch, decoded);
        int exact = 0;
        for (int i = 0; i < count; i++) exact += decoded.AsSpan(i * SortingModel.Digits, SortingModel.Digits).SequenceEqual(answers.AsSpan(i * SortingModel.Digits, SortingModel.Digits)) ? 1 : 0;
        Assert.Equal(int.Parse(data.Metadata["pytorch_exact_count"], CultureInfo.InvariantCulture), exact);
    }

    [Theory]
    [InlineData(WeightPrecision.BFloat16)]
    [InlineData(WeightPrecision.Int8)]
    [InlineData(WeightPrecision.Int8ByteActivations)]
    public void LowPrecisionWeights_GiveTheSameGreedyAnswers(WeightPrecision precision)
    {
        using SafeTensorsFile weights = Open("weights", "sorting_decoder.safetensors");
        using SafeTensorsFile data = Open("data", "sorting_test.safetensors");
        var model = new SortingModel(weights, precision);
        byte[] prompts = Bytes(data.ReadInt64("prompts"));
        byte[] pytorch = Bytes(data.ReadInt64("pytorch_greedy"));
        int count = prompts.Length / SortingModel.Digits;
        byte[] decoded = new byte[pytorch.Length];
        model.Generate(prompts, count, decoded, model.CreateCache(count), Sampler.Greedy);
        int differing = 0;
        for (int i = 0; i < decoded.Length; i++) differing += decoded[i] != pytorch[i] ? 1 : 0;
        Assert.True(differing == 0, $"{precision}: {differing} of {decoded.Length} answer tokens differ from float32's (PyTorch's)");
    }

    [Fact]
    public void CachedDecoding_GivesTheTokensOfFullRecomputation_GreedyAndSampled()
    {
        using SafeTensorsFile weights = Open("weights", "sorting_decoder.safetensors");
        using SafeTensorsFile data = Open("data", "sorting_test.safetensors");
        var model = new SortingModel(weights);
        int count = 100;
        byte[] prompts = Bytes(data.ReadInt64("prompts")).AsSpan(0, count * SortingModel.Digits).ToArray();
        KvCache cache = model.CreateCache(count);

        byte[] cached = new byte[count * SortingModel.Digits], recomputed = new byte[cached.Length];
        model.Generate(prompts, count, cached, cache, Sampler.Greedy);
        model.GenerateByRecomputing(prompts, count, recomputed, Sampler.Greedy);
        Assert.Equal(recomputed, cached);

        // Sampling draws the same random numbers in the same order, so equal logits give equal tokens; the cache is reused.
        model.Generate(prompts, count, cached, cache, Sampler.TopK(0.8f, 3, seed: 5));
        model.GenerateByRecomputing(prompts, count, recomputed, Sampler.TopK(0.8f, 3, seed: 5));
        Assert.Equal(recomputed, cached);
    }

    [Fact]
    public void Generate_ReturnsTheLogitsItChoseFrom_AndStopsAfterTheAnswersItIsGiven()
    {
        using SafeTensorsFile weights = Open("weights", "sorting_decoder.safetensors");
        using SafeTensorsFile data = Open("data", "sorting_test.safetensors");
        var model = new SortingModel(weights) { MaxDegreeOfParallelism = 2 };
        int count = 50;
        byte[] prompts = Bytes(data.ReadInt64("prompts")).AsSpan(0, count * SortingModel.Digits).ToArray();
        KvCache cache = model.CreateCache(count);
        byte[] answers = new byte[count * SortingModel.Digits];
        float[] logits = new float[answers.Length * SortingModel.Vocabulary];
        model.Generate(prompts, count, answers, cache, Sampler.Greedy, logits);
        for (int i = 0; i < answers.Length; i++) Assert.Equal(Sampler.Greedy.Choose(logits.AsSpan(i * SortingModel.Vocabulary, SortingModel.Vocabulary)), answers[i]);

        const int tokens = 3;
        byte[] firstTokens = new byte[count * tokens];
        float[] firstLogits = new float[firstTokens.Length * SortingModel.Vocabulary];
        model.Generate(prompts, count, firstTokens, cache, Sampler.Greedy, firstLogits);
        for (int b = 0; b < count; b++)
        {
            Assert.Equal(answers.AsSpan(b * SortingModel.Digits, tokens).ToArray(), firstTokens.AsSpan(b * tokens, tokens).ToArray());
            Assert.Equal(
                logits.AsSpan(b * SortingModel.Digits * SortingModel.Vocabulary, tokens * SortingModel.Vocabulary).ToArray(),
                firstLogits.AsSpan(b * tokens * SortingModel.Vocabulary, tokens * SortingModel.Vocabulary).ToArray());
        }

        var error = Assert.Throws<ArgumentException>(() => model.Generate(prompts, count, new byte[count * (SortingModel.Digits + 1)], cache, Sampler.Greedy));
        Assert.Equal("answers", error.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Generate(prompts, count, answers, cache, Sampler.Greedy, new float[3]));
    }

    [Fact]
    public void BFloat16Cache_GivesTheSameAnswers()
    {
        using SafeTensorsFile weights = Open("weights", "sorting_decoder.safetensors");
        using SafeTensorsFile data = Open("data", "sorting_test.safetensors");
        var model = new SortingModel(weights);
        byte[] prompts = Bytes(data.ReadInt64("prompts"));
        int count = prompts.Length / SortingModel.Digits;
        byte[] fromFloat = new byte[prompts.Length], fromBFloat16 = new byte[prompts.Length];

        model.Generate(prompts, count, fromFloat, model.CreateCache(count), Sampler.Greedy);
        model.Generate(prompts, count, fromBFloat16, model.CreateCache(count, KvCachePrecision.BFloat16), Sampler.Greedy);

        Assert.Equal(fromFloat, fromBFloat16);
    }

    private static byte[] Bytes(long[] values) => Array.ConvertAll(values, v => (byte)v);
}
