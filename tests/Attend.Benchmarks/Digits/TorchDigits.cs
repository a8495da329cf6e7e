using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Attend.Benchmarks.Digits;

/// <summary>
/// libtorch through TorchSharp on <c>models/digits_vit.pt</c> (torch.jit.trace of train.py's model by PyTorch 1.13,
/// written by <c>scripts/export_digits_peers.py</c>, loaded by <c>torch.jit.load</c>): <c>set_num_threads(N)</c>,
/// inference mode, every call's input a tensor made once; a call runs the module and copies its <c>[n, 10]</c> logits
/// out (what a caller needs; 40 bytes an image).
/// </summary>
internal sealed class TorchDigits : IDigitsEngine
{
    private readonly DigitsTestSet _set;
    private readonly jit.ScriptModule<Tensor, Tensor> _module;
    private readonly Dictionary<int, (Tensor Images, int Start)[]> _inputs = [];
    private (Tensor Images, int Start)[] _calls = [];

    public TorchDigits(DigitsTestSet set)
    {
        _set = set;
        _module = jit.load<Tensor, Tensor>(Path.Combine(AppContext.BaseDirectory, "models", "digits_vit.pt"));
        _module.eval();
        Logits = new float[set.Count * DigitsTestSet.Classes];
    }

    public string Name => "libtorch";

    public float[] Logits { get; }

    public void Configure(int batch, int threads)
    {
        torch.set_num_threads(threads);
        if (!_inputs.TryGetValue(batch, out _calls!))
        {
            _inputs[batch] = _calls = _set.Calls(batch)
                .Select(call => (torch.tensor(_set.ImagesOf(call).ToArray(), [call.Count, 1, 8, 8]), call.Start)).ToArray();
        }
    }

    public void ClassifyAll()
    {
        using var inference = torch.inference_mode();
        foreach ((Tensor images, int start) in _calls)
        {
            using Tensor logits = _module.call(images);
            logits.data<float>().CopyTo(Logits.AsSpan(start * DigitsTestSet.Classes, (int)logits.numel()));
        }
    }

    public void Dispose()
    {
        foreach (Tensor images in _inputs.Values.SelectMany(calls => calls).Select(call => call.Images)) images.Dispose();
        _module.Dispose();
    }
}
