// Digits: a small CNN with a squeeze-and-excitation block, trained in PyTorch on scikit-learn's 8×8 digits
// (train.py), run in C# with Attend's generated SE layer on every instruction set, and checked against the
// accuracy and class scores PyTorch measured on the same 360 test images.
using System;
using System.Globalization;
using System.IO;
using Attend;
using Attend.Kernels;
using Attend.Samples.DigitsSqueezeExcitation;

string path = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "weights", "digits_se.safetensors");
using SafeTensorsFile file = SafeTensors.Open(path);
float[] images = file.ReadFloat32("test.images");
long[] labels = file.ReadInt64("test.labels");
float[] pytorchLogits = file.ReadFloat32("test.logits");
int count = labels.Length;
int pytorchCorrect = int.Parse(file.Metadata["test_correct"], CultureInfo.InvariantCulture);

var net = new DigitsNet(file);
Console.WriteLine($"Digits CNN with [SqueezeExcitation(Channels = {DigitsSqueeze.Channels}, Reduction = 4)]: {count} test images");
Console.WriteLine($"  PyTorch {file.Metadata["torch_version"]}: {pytorchCorrect}/{count} correct ({100.0 * pytorchCorrect / count:F2}%)");

bool reproduced = true;
foreach (KernelPath kernelPath in KernelPaths.All)
{
    net.Path = kernelPath;
    float[] logits = net.Logits(images, count);
    int correct = 0, agree = 0;
    double maxError = 0;
    for (int n = 0; n < count; n++)
    {
        int predicted = ArgMax(logits.AsSpan(n * DigitsNet.Classes, DigitsNet.Classes));
        if (predicted == labels[n]) correct++;
        if (predicted == ArgMax(pytorchLogits.AsSpan(n * DigitsNet.Classes, DigitsNet.Classes))) agree++;
        for (int k = 0; k < DigitsNet.Classes; k++) maxError = Math.Max(maxError, Math.Abs(logits[n * DigitsNet.Classes + k] - pytorchLogits[n * DigitsNet.Classes + k]));
    }

    reproduced &= correct == pytorchCorrect && agree == count;
    Console.WriteLine($"  Attend {kernelPath,-9}: {correct}/{count} correct ({100.0 * correct / count:F2}%), same prediction as PyTorch on {agree}/{count}, max |logit difference| = {maxError:E2}");
}

Console.WriteLine(reproduced ? "Reproduced PyTorch's accuracy on every instruction set." : "MISMATCH with PyTorch.");
return reproduced ? 0 : 1;

static int ArgMax(ReadOnlySpan<float> values)
{
    int best = 0;
    for (int i = 1; i < values.Length; i++)
    {
        if (values[i] > values[best]) best = i;
    }

    return best;
}
