using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Attend.Benchmarks.InProcess;

/// <summary>How libtorch is asked to compute the row.</summary>
public enum TorchFormulation
{
    /// <summary><c>nn.MultiheadAttention</c> (its fused native fast path where libtorch takes it).</summary>
    MultiheadAttention,

    /// <summary><c>linear</c> + <c>scaled_dot_product_attention(is_causal)</c> + <c>linear</c> (CPU flash-attention kernel).</summary>
    ScaledDotProduct,
}

/// <summary>
/// libtorch through <c>TorchSharp-cpu</c>: <c>set_num_threads(N)</c>, inference mode, weights and input as tensors
/// created once. For decode, the keys/values of the cached tokens sit in a pre-allocated
/// <c>[1, H, Length, DimHead]</c> cache; a call projects the new token, writes its key/value into the last slot and
/// runs <c>scaled_dot_product_attention</c> over the whole cache.
/// </summary>
public sealed class TorchEngine : IInProcessEngine
{
    private readonly MhaCase _case;
    private readonly TorchFormulation _formulation;
    private readonly Tensor _input;
    private readonly Tensor _inWeight, _inBias, _outWeight, _outBias;
    private readonly Tensor? _causalMask;
    private readonly Tensor? _cacheKeys, _cacheValues;
    private readonly TorchSharp.Modules.MultiheadAttention? _module;
    private Tensor? _lastOutput;

    public TorchEngine(MhaCase c, TorchFormulation formulation)
    {
        if (c.Row.IsDecode && formulation == TorchFormulation.MultiheadAttention)
        {
            throw new ArgumentException("nn.MultiheadAttention has no KV-cache input; decode uses the scaled-dot-product formulation.");
        }

        _case = c;
        _formulation = formulation;
        int e = c.ModelDim;
        using (torch.no_grad())
        {
            _input = torch.tensor(c.TimedInput.ToArray(), [1, c.OutputRows, e]);
            _inWeight = torch.tensor(c.InProjWeight, [3 * e, e]);
            _inBias = torch.tensor(c.InProjBias, [3 * e]);
            _outWeight = torch.tensor(c.OutProjWeight, [e, e]);
            _outBias = torch.tensor(c.OutProjBias, [e]);
            if (c.Row.IsDecode)
            {
                (float[] keys, float[] values) = c.HeadMajorCache(c.Length - 1);
                _cacheKeys = torch.zeros(1, c.Heads, c.Length, c.DimHead);
                _cacheValues = torch.zeros(1, c.Heads, c.Length, c.DimHead);
                _cacheKeys.narrow(2, 0, c.Length - 1).copy_(torch.tensor(keys, [1, c.Heads, c.Length - 1, c.DimHead]));
                _cacheValues.narrow(2, 0, c.Length - 1).copy_(torch.tensor(values, [1, c.Heads, c.Length - 1, c.DimHead]));
            }

            if (formulation == TorchFormulation.MultiheadAttention)
            {
                _module = nn.MultiheadAttention(e, c.Heads);
                _module.eval();
                foreach ((string name, TorchSharp.Modules.Parameter parameter) in _module.named_parameters())
                {
                    Tensor source = name switch
                    {
                        "in_proj_weight" => _inWeight,
                        "in_proj_bias" => _inBias,
                        "out_proj.weight" => _outWeight,
                        "out_proj.bias" => _outBias,
                        _ => throw new InvalidOperationException($"Unexpected nn.MultiheadAttention parameter {name}."),
                    };
                    parameter.copy_(source);
                }

                if (c.Row.Causal)
                {
                    _causalMask = torch.full(c.Length, c.Length, float.NegativeInfinity).triu(1); // additive: 0 on and below the diagonal
                }
            }
        }
    }

    public string Name => _formulation == TorchFormulation.MultiheadAttention ? "libtorch (nn.MultiheadAttention)" : "libtorch (linear + SDPA)";

    public int Threads
    {
        set => torch.set_num_threads(value);
    }

    public void Run()
    {
        _lastOutput?.Dispose();
        using var inference = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        Tensor output = _formulation == TorchFormulation.MultiheadAttention ? RunModule() : RunScaledDotProduct();
        _lastOutput = output.MoveToOuterDisposeScope();
    }

    public float[] ReadOutput() => _lastOutput!.contiguous().data<float>().ToArray();

    public void Dispose()
    {
        _lastOutput?.Dispose();
        _module?.Dispose();
        foreach (Tensor? t in new[] { _input, _inWeight, _inBias, _outWeight, _outBias, _causalMask, _cacheKeys, _cacheValues }) t?.Dispose();
    }

    /// <summary><c>nn.MultiheadAttention</c> is sequence-first: <c>[L, 1, E]</c> is the same memory as <c>[1, L, E]</c>.</summary>
    private Tensor RunModule()
    {
        Tensor x = _input.view(_case.OutputRows, 1, _case.ModelDim);
        (Tensor output, _) = _module!.forward(x, x, x, key_padding_mask: null, need_weights: false, attn_mask: _causalMask);
        return output;
    }

    private Tensor RunScaledDotProduct()
    {
        int rows = _case.OutputRows, h = _case.Heads, d = _case.DimHead;
        Tensor perHead = nn.functional.linear(_input, _inWeight, _inBias).view(1, rows, 3, h, d).permute(2, 0, 3, 1, 4);
        Tensor queries = perHead[0], keys = perHead[1], values = perHead[2];
        bool causal = _case.Row.Causal;
        if (_cacheKeys is not null)
        {
            _cacheKeys.narrow(2, _case.Length - 1, 1).copy_(keys);
            _cacheValues!.narrow(2, _case.Length - 1, 1).copy_(values);
            (keys, values, causal) = (_cacheKeys, _cacheValues, false); // one query sees every cached key
        }

        Tensor context = nn.functional.scaled_dot_product_attention(queries, keys, values, null, 0.0, causal);
        return nn.functional.linear(context.transpose(1, 2).reshape(1, rows, _case.ModelDim), _outWeight, _outBias);
    }
}
