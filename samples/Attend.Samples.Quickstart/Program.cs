// Quickstart: a causal self-attention layer declared with one attribute, loaded with weights that
// PyTorch saved from torch.nn.MultiheadAttention, run, and checked against PyTorch's own output.
using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Attend;

string path = args.Length > 0 ? args[0] : Path.Combine(AppContext.BaseDirectory, "weights", "mha_self_causal_medium.safetensors");
using SafeTensorsFile file = SafeTensors.Open(path);

var attention = new DecoderSelfAttention();
attention.LoadWeights(file); // in_proj_weight, in_proj_bias, out_proj.weight, out_proj.bias

if (!file.TryGetInfo("input.x", out TensorInfo? inputInfo)) throw new InvalidDataException($"{path} has no input.x tensor.");
int batch = (int)inputInfo.Shape[0];
int length = (int)inputInfo.Shape[1];
float[] input = file.ReadFloat32("input.x");
float[] expected = file.ReadFloat32("output.y");
float[] output = new float[input.Length];

Console.WriteLine($"Attend quickstart: {nameof(DecoderSelfAttention)} (ModelDim {DecoderSelfAttention.ModelDim}, {DecoderSelfAttention.Heads} heads of {DecoderSelfAttention.DimHead}, causal)");
Console.WriteLine($"weights and input: {Path.GetFileName(path)}, batch {batch} x {length} tokens");

foreach (KernelPath kernelPath in new[] { KernelPath.Auto, KernelPath.Scalar })
{
    attention.Path = kernelPath;
    attention.Forward(input, output, batch, length);
    double maxError = 0;
    for (int i = 0; i < output.Length; i++) maxError = Math.Max(maxError, Math.Abs(output[i] - expected[i]));

    const int Runs = 20;
    var timer = Stopwatch.StartNew();
    for (int run = 0; run < Runs; run++) attention.Forward(input, output, batch, length);
    double milliseconds = timer.Elapsed.TotalMilliseconds / Runs;

    string resolved = kernelPath == KernelPath.Auto ? $"Auto -> {Attend.Kernels.KernelPaths.Best}" : kernelPath.ToString();
    Console.WriteLine($"  {resolved,-18} max |Attend - PyTorch| = {maxError:E2}   {milliseconds,8:F3} ms per forward");
}

Console.WriteLine($"  y[0, 0, 0..4] = {string.Join(", ", output[..4].Select(v => v.ToString("F5", System.Globalization.CultureInfo.InvariantCulture)))}");

// scripts/check-aot.sh runs this program as a JIT and as a NativeAOT build and compares these files: the raw output
// of every kernel path, and the path Auto takes.
if (Environment.GetEnvironmentVariable("ATTEND_QUICKSTART_DUMP") is { Length: > 0 } dump)
{
    Directory.CreateDirectory(dump);
    foreach (KernelPath kernelPath in Attend.Kernels.KernelPaths.All)
    {
        attention.Path = kernelPath;
        attention.Forward(input, output, batch, length);
        File.WriteAllBytes(Path.Combine(dump, $"{kernelPath}.bin"), System.Runtime.InteropServices.MemoryMarshal.AsBytes(output.AsSpan()).ToArray());
    }

    File.WriteAllText(Path.Combine(dump, "auto.txt"), Attend.Kernels.KernelPaths.Best.ToString());
}

/// <summary>The layer: everything else on this class is generated at compile time.</summary>
[MultiHeadAttention(ModelDim = 256, Heads = 4, Mask = AttentionMask.Causal)]
internal sealed partial class DecoderSelfAttention;
