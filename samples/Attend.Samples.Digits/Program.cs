// Digits: a vision transformer trained in PyTorch on scikit-learn's 8×8 handwritten digits (train.py), declared here
// with one attribute, classifying the held-out split in C#. It prints its accuracy next to PyTorch's and writes the
// class token's attention over the image patches, for every layer and head, as an SVG.
using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using Attend;
using Attend.Samples.Digits;

string folder = AppContext.BaseDirectory;
string weightsPath = args.Length > 0 ? args[0] : Path.Combine(folder, "weights", "digits_vit.safetensors");
string dataPath = args.Length > 1 ? args[1] : Path.Combine(folder, "data", "digits_test.safetensors");
// Run from the repository root, the figure lands beside this sample (where the README links it); elsewhere, here.
string sampleFolder = Path.Combine("samples", "Attend.Samples.Digits");
string svgPath = args.Length > 2 ? args[2] : Path.Combine(Directory.Exists(sampleFolder) ? sampleFolder : ".", "digits-attention.svg");

using SafeTensorsFile weights = SafeTensors.Open(weightsPath);
using SafeTensorsFile data = SafeTensors.Open(dataPath);
var vit = new DigitsVit();
vit.LoadWeights(weights);

float[] images = data.ReadFloat32("images");
long[] labels = data.ReadInt64("labels");
float[] pytorchLogits = data.ReadFloat32("pytorch_logits");
int count = labels.Length;
float[] logits = new float[count * DigitsVit.Classes];
float[] attention = new float[DigitsVit.Depth * count * DigitsVit.Heads * DigitsVit.Tokens * DigitsVit.Tokens];

Console.WriteLine($"Attend digits: ViT {DigitsVit.ImageSize}×{DigitsVit.ImageSize} in {DigitsVit.PatchSize}×{DigitsVit.PatchSize} patches ({DigitsVit.Tokens} tokens), " +
    $"{DigitsVit.Depth} layers of {DigitsVit.ModelDim}, {DigitsVit.Heads} heads of {DigitsVit.DimHead}, trained by train.py in PyTorch");
Console.WriteLine($"weights: {Path.GetFileName(weightsPath)}; held-out split: {count} images from {Path.GetFileName(dataPath)}");

vit.Forward(images, logits, count, attention);

int correct = 0, agreeing = 0;
double maxDifference = 0;
for (int i = 0; i < count; i++)
{
    int predicted = ArgMax(logits.AsSpan(i * DigitsVit.Classes, DigitsVit.Classes));
    if (predicted == labels[i]) correct++;
    if (predicted == ArgMax(pytorchLogits.AsSpan(i * DigitsVit.Classes, DigitsVit.Classes))) agreeing++;
    for (int c = 0; c < DigitsVit.Classes; c++) maxDifference = Math.Max(maxDifference, Math.Abs(logits[i * DigitsVit.Classes + c] - pytorchLogits[i * DigitsVit.Classes + c]));
}

int pytorchCorrect = int.Parse(data.Metadata["pytorch_test_correct"], CultureInfo.InvariantCulture);
Console.WriteLine($"  Attend  accuracy {(double)correct / count:P2} ({correct}/{count})");
Console.WriteLine($"  PyTorch accuracy {(double)pytorchCorrect / count:P2} ({pytorchCorrect}/{count})");
Console.WriteLine($"  same prediction on {agreeing}/{count} images; max |logit(Attend) − logit(PyTorch)| = {maxDifference:E2}");

// Throughput of the whole classifier over the split (no attention maps), measured for a second after a second of
// warm-up (tiered compilation optimizes the kernels meanwhile).
for (var warmUp = Stopwatch.StartNew(); warmUp.Elapsed.TotalSeconds < 1;) vit.Forward(images, logits, count);
int runs = 0;
var timer = Stopwatch.StartNew();
for (; timer.Elapsed.TotalSeconds < 1; runs++) vit.Forward(images, logits, count);
double seconds = timer.Elapsed.TotalSeconds / runs;
Console.WriteLine($"  {count / seconds:N0} images/s ({seconds * 1e3:F2} ms per batch of {count}, path {Attend.Kernels.KernelPaths.Best}, {vit.MaxDegreeOfParallelism} threads)");

int[] shown = AttentionMapSvg.PickOnePerClass(labels, 5);
File.WriteAllText(svgPath, AttentionMapSvg.Render(images, labels, logits, attention, count, shown));
Console.WriteLine($"  attention maps (class token → patches, {DigitsVit.Depth} layers × {DigitsVit.Heads} heads, {shown.Length} digits): {Path.GetFullPath(svgPath)}");

// scripts/check-aot.sh runs this program as a JIT and as a NativeAOT build and compares these files: the logits of
// every kernel path, and the path Auto takes.
if (Environment.GetEnvironmentVariable("ATTEND_DIGITS_DUMP") is { Length: > 0 } dump)
{
    Directory.CreateDirectory(dump);
    foreach (KernelPath kernelPath in Attend.Kernels.KernelPaths.All)
    {
        vit.Path = kernelPath;
        vit.Forward(images, logits, count);
        File.WriteAllBytes(Path.Combine(dump, $"{kernelPath}.bin"), System.Runtime.InteropServices.MemoryMarshal.AsBytes(logits.AsSpan()).ToArray());
    }

    File.WriteAllText(Path.Combine(dump, "auto.txt"), Attend.Kernels.KernelPaths.Best.ToString());
}

return correct == pytorchCorrect ? 0 : 1;

static int ArgMax(ReadOnlySpan<float> values)
{
    int best = 0;
    for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
    return best;
}
