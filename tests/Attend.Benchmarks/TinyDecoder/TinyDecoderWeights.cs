using System;
using System.Collections.Generic;
using System.IO;
using Attend.Samples.TinyDecoder;

namespace Attend.Benchmarks.TinyDecoderPeers;

/// <summary>
/// The TinyDecoder sample's shipped checkpoint (train.py's state_dict) and held-out prompts, as the peers read them:
/// every tensor by its PyTorch name, the sizes from the sample's <see cref="SortingDecoder"/> declaration (one source of
/// truth), and train.py's float32 rotary tables.
/// </summary>
internal sealed class TinyDecoderWeights
{
    public const int Width = SortingDecoder.ModelDim, Heads = SortingDecoder.Heads, KvHeads = SortingDecoder.KvHeads;
    public const int DimHead = SortingDecoder.DimHead, MlpDim = SortingDecoder.MlpDim, Depth = SortingDecoder.Depth;
    public const int Vocabulary = SortingModel.Vocabulary, PromptLength = SortingModel.PromptLength, Answer = SortingModel.Digits;

    /// <summary>Positions a generation uses: the prompt and separator, then every answer token but the last (never fed back).</summary>
    public const int Positions = PromptLength + Answer - 1;

    /// <summary>train.py's rotary base θ.</summary>
    public const double RotaryBase = 10000;

    private readonly Dictionary<string, float[]> _tensors = [];
    private readonly Dictionary<string, long[]> _shapes = [];

    private TinyDecoderWeights(SafeTensorsFile file)
    {
        foreach (TensorInfo info in file.Tensors)
        {
            _tensors[info.Name] = file.ReadFloat32(info.Name);
            _shapes[info.Name] = [.. info.Shape];
        }
    }

    public static string Folder => AppContext.BaseDirectory;

    public static SafeTensorsFile OpenCheckpoint() => SafeTensors.Open(Path.Combine(Folder, "weights", "sorting_decoder.safetensors"));

    public static TinyDecoderWeights Load()
    {
        using SafeTensorsFile file = OpenCheckpoint();
        return new TinyDecoderWeights(file);
    }

    /// <summary>The 500 held-out prompts <c>[N, Digits]</c> and train.py's greedy answers to them.</summary>
    public static (byte[] Prompts, byte[] PyTorchGreedy) TestPrompts()
    {
        using SafeTensorsFile data = SafeTensors.Open(Path.Combine(Folder, "data", "sorting_test.safetensors"));
        return (Array.ConvertAll(data.ReadInt64("prompts"), v => (byte)v), Array.ConvertAll(data.ReadInt64("pytorch_greedy"), v => (byte)v));
    }

    public float[] this[string name] => _tensors[name];

    public IReadOnlyDictionary<string, float[]> Tensors => _tensors;

    /// <summary>The checkpoint's shape of tensor <paramref name="name"/>.</summary>
    public long[] Shape(string name) => _shapes[name];

    /// <summary>A layer's tensor under torch.nn.TransformerEncoderLayer's name (<c>self_attn.in_proj_weight</c>, <c>norm1.bias</c>, …).</summary>
    public float[] Layer(int layer, string name) => _tensors[$"blocks.layers.{layer}.{name}"];

    /// <summary>
    /// cos and sin <c>[Positions, DimHead / 2]</c> as train.py's <c>rotary_tables</c> makes them in float32:
    /// <c>inv_freq = 1 / θ^(2i/d)</c>, <c>angle = position · inv_freq</c>, both rounded to float32.
    /// </summary>
    public static (float[] Cos, float[] Sin) RotaryTables()
    {
        const int half = DimHead / 2;
        float[] cos = new float[Positions * half], sin = new float[Positions * half];
        for (int position = 0; position < Positions; position++)
        {
            for (int i = 0; i < half; i++)
            {
                float angle = position * (float)(1 / Math.Pow(RotaryBase, 2.0 * i / DimHead));
                (cos[position * half + i], sin[position * half + i]) = ((float)Math.Cos(angle), (float)Math.Sin(angle));
            }
        }

        return (cos, sin);
    }

    /// <summary>Each prompt's digits followed by the separator, as token ids <c>[batch, PromptLength]</c>.</summary>
    public static void PromptTokens(ReadOnlySpan<byte> prompts, Span<long> tokens)
    {
        int batch = prompts.Length / Answer;
        for (int b = 0; b < batch; b++)
        {
            for (int i = 0; i < Answer; i++) tokens[b * PromptLength + i] = prompts[b * Answer + i];
            tokens[b * PromptLength + Answer] = SortingModel.Separator;
        }
    }
}
