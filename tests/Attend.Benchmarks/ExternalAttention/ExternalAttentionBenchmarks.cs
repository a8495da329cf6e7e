using System;
using System.IO;
using System.Linq;
using BenchmarkDotNet.Attributes;

namespace Attend.Benchmarks.ExternalAttention;

/// <summary>
/// The External-Attention modules on the case files of <c>peers/external_attention_torch.py</c> (same weights and input as
/// the PyTorch column of <c>external</c>), one thread, per instruction set. Run the script (or
/// <c>peers/external_attention.sh</c>) once first; then <c>--filter *ExternalAttentionBenchmarks*</c>.
/// </summary>
public class ExternalAttentionBenchmarks
{
    private IModuleCase? _module;
    private float[] _input = [], _output = [];

    [Params("simam", "shuffle_g8", "coordatt_r32", "psa_parallel", "psa_sequential", "external_attention_s64", "mobilevitv2",
        "bam_r16_d2", "triplet", "sk_k1357", "danet_pam_repo", "danet_cam_repo", "danet_pam_official", "danet_cam_official", "attnconv_k3")]
    public string Module { get; set; } = "";

    [Params(KernelPath.Vector256, KernelPath.Vector512)]
    public KernelPath Path { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        string file = System.IO.Path.Combine(CaseDirectory(), Module + ".safetensors");
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"{file} is missing; run tests/Attend.Benchmarks/peers/external_attention_torch.py first.", file);
        }

        if (!ModuleCases.TryCreate(Module, out _module)) throw new InvalidOperationException($"No Attend layer for case '{Module}'.");
        using SafeTensorsFile weights = SafeTensors.Open(file);
        weights.TryGetInfo("input.x", out TensorInfo input);
        weights.TryGetInfo("reference.y", out TensorInfo reference);
        _input = new float[input.ElementCount];
        _output = new float[reference.ElementCount];
        weights.ReadFloat32("input.x", _input);
        _module.Load(weights, input.Shape.ToArray());
        _module.Path = Path;
    }

    [Benchmark]
    public void Forward() => _module!.Run(_input, _output);

    /// <summary><c>peers/.work/external</c> of the source tree (BenchmarkDotNet runs this from a generated project under bin/).</summary>
    internal static string CaseDirectory()
    {
        for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = System.IO.Path.Combine(directory.FullName, "tests", "Attend.Benchmarks", "peers", ".work", "external");
            if (Directory.Exists(candidate)) return candidate;
        }

        return System.IO.Path.Combine("tests", "Attend.Benchmarks", "peers", ".work", "external");
    }
}
