// TinyDecoder: a causal transformer trained in PyTorch to sort eight digits (train.py), run here with a KV cache.
// It decodes the held-out prompts greedily and by temperature/top-k sampling, prints the task accuracy next to
// PyTorch's, checks cached decoding against recomputing the prefix every step, and reports tokens per second.
using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using Attend;
using Attend.Samples.TinyDecoder;

string folder = AppContext.BaseDirectory;
string weightsPath = args.Length > 0 ? args[0] : Path.Combine(folder, "weights", "sorting_decoder.safetensors");
string dataPath = args.Length > 1 ? args[1] : Path.Combine(folder, "data", "sorting_test.safetensors");

using SafeTensorsFile weights = SafeTensors.Open(weightsPath);
using SafeTensorsFile data = SafeTensors.Open(dataPath);
var model = new SortingModel(weights);
byte[] prompts = Bytes(data.ReadInt64("prompts"));
byte[] expected = Bytes(data.ReadInt64("answers"));
byte[] pytorchGreedy = Bytes(data.ReadInt64("pytorch_greedy"));
int count = prompts.Length / SortingModel.Digits;
int pytorchExact = int.Parse(data.Metadata["pytorch_exact_count"], CultureInfo.InvariantCulture);

Console.WriteLine($"Attend tiny decoder: sort {SortingModel.Digits} digits; {SortingDecoder.Depth} causal layers of {SortingDecoder.ModelDim}, " +
    $"{SortingDecoder.Heads} query heads over {SortingDecoder.KvHeads} key/value heads, rotary positions, trained by train.py in PyTorch");
Console.WriteLine($"held-out prompts: {count} from {Path.GetFileName(dataPath)}");

byte[] greedy = new byte[count * SortingModel.Digits];
KvCache cache = model.CreateCache(count);
model.Generate(prompts, count, greedy, cache, Sampler.Greedy);
(int exact, double digits) = Score(greedy, expected, count);
int samePyTorch = CountEqualRows(greedy, pytorchGreedy, count);
Console.WriteLine($"  greedy, KV cache:   {exact}/{count} prompts sorted exactly ({(double)exact / count:P1}), digit accuracy {digits:P2}");
Console.WriteLine($"  PyTorch greedy:     {pytorchExact}/{count} prompts sorted exactly ({(double)pytorchExact / count:P1}); Attend's answers equal PyTorch's on {samePyTorch}/{count}");

byte[] recomputed = new byte[greedy.Length];
model.GenerateByRecomputing(prompts, count, recomputed, Sampler.Greedy);
Console.WriteLine($"  cached decoding vs recomputing the prefix each step: {CountEqualRows(greedy, recomputed, count)}/{count} answers identical");

byte[] sampled = new byte[greedy.Length];
foreach (float temperature in new[] { 0.7f, 2.5f })
{
    model.Generate(prompts, count, sampled, cache, Sampler.TopK(temperature, topK: 3, seed: 1));
    (int sampledExact, double sampledDigits) = Score(sampled, expected, count);
    Console.WriteLine($"  sampled, T = {temperature:F1}, top-k 3: {sampledExact}/{count} sorted exactly ({(double)sampledExact / count:P1}), digit accuracy {sampledDigits:P2}");
}

Console.WriteLine("  examples:");
for (int i = 0; i < 3; i++)
{
    Console.WriteLine($"    {Text(prompts.AsSpan(i * SortingModel.Digits, SortingModel.Digits))} > {Text(greedy.AsSpan(i * SortingModel.Digits, SortingModel.Digits))}");
}

// Throughput: answer tokens generated per second, the whole held-out batch at once and one sequence at a time.
Console.WriteLine("  tokens/s (8 answer tokens per prompt; each measured for a second after a second of warm-up):");
Measure("greedy, KV cache, batch " + count, count, () => model.Generate(prompts, count, greedy, cache, Sampler.Greedy));
Measure("top-k sampling (T = 0.7), KV cache, batch " + count, count, () => model.Generate(prompts, count, sampled, cache, Sampler.TopK(0.7f, 3, 2)));
Measure("greedy, recomputing, batch " + count, count, () => model.GenerateByRecomputing(prompts, count, recomputed, Sampler.Greedy));
KvCache single = model.CreateCache(1);
byte[] one = new byte[SortingModel.Digits];
Measure("greedy, KV cache, batch 1", 50, () =>
{
    for (int i = 0; i < 50; i++) model.Generate(prompts.AsSpan(i * SortingModel.Digits, SortingModel.Digits), 1, one, single, Sampler.Greedy);
});

return exact == pytorchExact ? 0 : 1;

static void Measure(string name, int sequences, Action run)
{
    // A second of warm-up lets tiered compilation finish optimizing the kernels before the clock starts.
    for (var warmUp = Stopwatch.StartNew(); warmUp.Elapsed.TotalSeconds < 1;) run();
    int repeats = 0;
    var timer = Stopwatch.StartNew();
    do
    {
        run();
        repeats++;
    }
    while (timer.Elapsed.TotalSeconds < 1);
    double tokensPerSecond = repeats * sequences * SortingModel.Digits / timer.Elapsed.TotalSeconds;
    Console.WriteLine($"    {name,-46} {tokensPerSecond,10:N0} tokens/s");
}

static (int Exact, double Digits) Score(byte[] answers, byte[] expected, int count)
{
    int exact = 0, digits = 0;
    for (int i = 0; i < count; i++)
    {
        bool all = true;
        for (int d = 0; d < SortingModel.Digits; d++)
        {
            bool same = answers[i * SortingModel.Digits + d] == expected[i * SortingModel.Digits + d];
            digits += same ? 1 : 0;
            all &= same;
        }

        exact += all ? 1 : 0;
    }

    return (exact, (double)digits / (count * SortingModel.Digits));
}

static int CountEqualRows(byte[] a, byte[] b, int count)
{
    int equal = 0;
    for (int i = 0; i < count; i++) equal += a.AsSpan(i * SortingModel.Digits, SortingModel.Digits).SequenceEqual(b.AsSpan(i * SortingModel.Digits, SortingModel.Digits)) ? 1 : 0;
    return equal;
}

static byte[] Bytes(long[] values) => Array.ConvertAll(values, v => (byte)v);

static string Text(ReadOnlySpan<byte> tokens)
{
    var text = new System.Text.StringBuilder();
    foreach (byte t in tokens) text.Append(t).Append(' ');
    return text.ToString().TrimEnd();
}
