using System;
using Attend.Samples.TinyDecoder;

namespace Attend.Benchmarks.TinyDecoderPeers;

/// <summary>One engine generating the TinyDecoder's answers greedily for a fixed batch of prompts, its KV cache allocated once.</summary>
internal interface ITinyDecoderEngine : IDisposable
{
    string Name { get; }

    /// <summary>
    /// Prefills each prompt and the separator, then decodes <c>answers.Length / batch</c> tokens per prompt (1 to 8), each the
    /// argmax of its step's logits (<see cref="Sampler.Greedy"/>, ties to the lowest token, for every engine).
    /// </summary>
    /// <param name="prompts"><c>[batch, Digits]</c>.</param>
    /// <param name="answers">Receives <c>[batch, tokens]</c>.</param>
    /// <param name="logits">Empty, or receives every step's logits <c>[batch, tokens, Vocabulary]</c>.</param>
    void Generate(ReadOnlySpan<byte> prompts, Span<byte> answers, Span<float> logits);
}

/// <summary>Attend: the sample's own <see cref="SortingModel.Generate"/> with a KV cache, greedy.</summary>
internal sealed class AttendTinyDecoder(SortingModel model, int batch) : ITinyDecoderEngine
{
    private readonly KvCache _cache = model.CreateCache(batch);

    public string Name => "Attend";

    public void Generate(ReadOnlySpan<byte> prompts, Span<byte> answers, Span<float> logits) =>
        model.Generate(prompts, batch, answers, _cache, Sampler.Greedy, logits);

    public void Dispose()
    {
    }
}
