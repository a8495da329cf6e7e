using System;
using Attend.Kernels;

namespace Attend.Benchmarks;

/// <summary>
/// The decode step of the issue: one new token <c>x [1, 1, E]</c> after 2047 cached ones. Its q, k, v come from one
/// projection; <c>[ScaledDotProductAttention]</c> attends over the cache (past key/value, read in place) and the
/// new key/value; the output projection follows. The same math as the peers' decode module.
/// </summary>
public sealed class DecodeWorkload : Workload
{
    private readonly DecodeAttention512 _attention = new();
    private readonly float[] _packedInput;
    private readonly float[] _inputBias;
    private readonly float[] _packedOutput;
    private readonly float[] _outputBias;
    private readonly float[] _pastKey;
    private readonly float[] _pastValue;
    private readonly float[] _qkv;
    private readonly float[] _context;
    private int _threads = 1;

    public DecodeWorkload(Shape shape, IWeightSource weights, float[] input, float[] pastKey, float[] pastValue)
        : base(shape, input)
    {
        int e = shape.ModelDim;
        if (e != DecodeAttention512.Heads * DecodeAttention512.DimHead || shape.Heads != DecodeAttention512.Heads)
        {
            throw new ArgumentException($"The decode step is declared for E = 512, H = 8, not E = {e}, H = {shape.Heads}.");
        }

        _packedInput = new float[LinearKernels.PackedLength(e, 3 * e)];
        LinearKernels.Pack(WeightLoading.Read(weights, "", "in_proj_weight", 3 * e, e), e, 3 * e, _packedInput);
        _inputBias = WeightLoading.Read(weights, "", "in_proj_bias", 3 * e);
        _packedOutput = new float[LinearKernels.PackedLength(e, e)];
        LinearKernels.Pack(WeightLoading.Read(weights, "", "out_proj.weight", e, e), e, e, _packedOutput);
        _outputBias = WeightLoading.Read(weights, "", "out_proj.bias", e);
        _pastKey = pastKey;
        _pastValue = pastValue;
        _qkv = new float[3 * e];
        _context = new float[e];
    }

    public override int Threads
    {
        get => _threads;
        set
        {
            _threads = value;
            _attention.MaxDegreeOfParallelism = value;
        }
    }

    public override void Run()
    {
        int e = Shape.ModelDim;
        ProjectionDriver.Forward(KernelPath.Auto, Input, 1, e, _packedInput, _inputBias, e, 3 * e, _qkv, 3 * e, _threads);
        _attention.Forward(new ScaledDotProductAttentionArguments
        {
            Layout = AttentionLayout.BatchSequenceHidden,
            Batch = 1,
            QueryLength = 1,
            KeyLength = 1,
            Query = _qkv.AsSpan(0, e),
            Key = _qkv.AsSpan(e, e),
            Value = _qkv.AsSpan(2 * e, e),
            PastKey = _pastKey,
            PastValue = _pastValue,
            PastLength = Shape.PastLength,
            Output = _context,
        });
        ProjectionDriver.Forward(KernelPath.Auto, _context, 1, e, _packedOutput, _outputBias, e, e, Output, e, _threads);
    }
}
