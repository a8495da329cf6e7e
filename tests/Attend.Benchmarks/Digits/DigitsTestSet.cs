using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Attend.Samples.Digits;

namespace Attend.Benchmarks.Digits;

/// <summary>
/// The Digits sample's held-out split (<c>data/digits_test.safetensors</c>, copied here from the sample project): the
/// images, their labels and the logits PyTorch computed when train.py wrote the split, which every engine is checked against.
/// </summary>
internal sealed class DigitsTestSet
{
    public const int PixelsPerImage = DigitsVit.Channels * DigitsVit.ImageSize * DigitsVit.ImageSize;
    public const int Classes = DigitsVit.Classes;

    private DigitsTestSet(float[] images, long[] labels, float[] pytorchLogits, int pytorchCorrect)
    {
        Images = images;
        Labels = labels;
        PyTorchLogits = pytorchLogits;
        PyTorchCorrect = pytorchCorrect;
    }

    /// <summary><c>[Count, 1, 8, 8]</c>, pinned, so ONNX Runtime's inputs can be bound over slices of it.</summary>
    public float[] Images { get; }

    public long[] Labels { get; }

    /// <summary><c>[Count, 10]</c> from the trained model in PyTorch (train.py).</summary>
    public float[] PyTorchLogits { get; }

    public int PyTorchCorrect { get; }

    public int Count => Labels.Length;

    public static string WeightsPath => Path.Combine(AppContext.BaseDirectory, "weights", "digits_vit.safetensors");

    public static DigitsTestSet Load()
    {
        using SafeTensorsFile data = SafeTensors.Open(Path.Combine(AppContext.BaseDirectory, "data", "digits_test.safetensors"));
        float[] images = data.ReadFloat32("images");
        float[] pinned = GC.AllocateArray<float>(images.Length, pinned: true);
        images.CopyTo(pinned, 0);
        return new DigitsTestSet(pinned, data.ReadInt64("labels"), data.ReadFloat32("pytorch_logits"), int.Parse(data.Metadata["pytorch_test_correct"], CultureInfo.InvariantCulture));
    }

    /// <summary>The calls that classify the split <paramref name="batch"/> images at a time: (first image, images); the last takes the rest.</summary>
    public IReadOnlyList<(int Start, int Count)> Calls(int batch)
    {
        var calls = new List<(int, int)>();
        for (int start = 0; start < Count; start += batch) calls.Add((start, Math.Min(batch, Count - start)));
        return calls;
    }

    public ReadOnlySpan<float> ImagesOf((int Start, int Count) call) => Images.AsSpan(call.Start * PixelsPerImage, call.Count * PixelsPerImage);

    /// <summary>Largest |logit − PyTorch's|, predictions that differ from PyTorch's, and correct predictions, of an engine's logits.</summary>
    public (double MaxDifference, int Disagreeing, int Correct) Compare(ReadOnlySpan<float> logits)
    {
        double max = 0;
        int disagreeing = 0, correct = 0;
        for (int i = 0; i < Count; i++)
        {
            ReadOnlySpan<float> mine = logits.Slice(i * Classes, Classes), theirs = PyTorchLogits.AsSpan(i * Classes, Classes);
            for (int c = 0; c < Classes; c++) max = Math.Max(max, Math.Abs(mine[c] - theirs[c]));
            int predicted = ArgMax(mine);
            if (predicted != ArgMax(theirs)) disagreeing++;
            if (predicted == Labels[i]) correct++;
        }

        return (max, disagreeing, correct);
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }
}
