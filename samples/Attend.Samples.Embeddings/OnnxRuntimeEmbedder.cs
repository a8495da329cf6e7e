using System;
using Microsoft.ML.OnnxRuntime;

namespace Attend.Samples.Embeddings;

/// <summary>
/// The same ONNX file run by ONNX Runtime in this process, the fastest way a user would call it (all graph optimisations,
/// pre-allocated inputs and outputs), then mean-pooled and normalised as sentence-transformers does — the reference the
/// sample checks Attend against and times it next to.
/// </summary>
public sealed class OnnxRuntimeEmbedder : IDisposable
{
    private const int Width = MiniLM.ModelDim;
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();

    /// <summary>Creates a session over the model bytes with <paramref name="threads"/> intra-op threads.</summary>
    public OnnxRuntimeEmbedder(byte[] model, int threads)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
        };
        _session = new InferenceSession(model, options);
    }

    /// <summary>Embeds one padded batch: <c>[batch, length]</c> ids, mask (1 = real) and type ids into <c>[batch, 384]</c>.</summary>
    public void Embed(long[] inputIds, long[] attentionMask, long[] tokenTypeIds, float[] hidden, Span<float> embeddings, int batch, int length)
    {
        long[] shape = { batch, length };
        using OrtValue ids = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, inputIds.AsMemory(0, batch * length), shape);
        using OrtValue mask = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, attentionMask.AsMemory(0, batch * length), shape);
        using OrtValue types = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, tokenTypeIds.AsMemory(0, batch * length), shape);
        using OrtValue output = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, hidden.AsMemory(0, batch * length * Width), new long[] { batch, length, Width });
        _session.Run(_runOptions, ["input_ids", "attention_mask", "token_type_ids"], [ids, mask, types], ["last_hidden_state"], [output]);

        for (int b = 0; b < batch; b++)
        {
            Span<float> sum = embeddings.Slice(b * Width, Width);
            sum.Clear();
            int real = 0;
            for (int t = 0; t < length; t++)
            {
                if (attentionMask[b * length + t] == 0) continue;
                real++;
                ReadOnlySpan<float> row = hidden.AsSpan((b * length + t) * Width, Width);
                for (int i = 0; i < Width; i++) sum[i] += row[i];
            }

            double norm = 0;
            for (int i = 0; i < Width; i++)
            {
                sum[i] /= Math.Max(real, 1);
                norm += (double)sum[i] * sum[i];
            }

            float scale = (float)(1 / Math.Max(Math.Sqrt(norm), 1e-12));
            for (int i = 0; i < Width; i++) sum[i] *= scale;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _runOptions.Dispose();
        _session.Dispose();
    }
}
