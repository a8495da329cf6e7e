using System;

namespace Attend.Benchmarks.InProcess;

/// <summary>
/// Attend as a user calls it: a generated <c>[MultiHeadAttention]</c> layer's <c>Forward</c>; for decode, the causal
/// layer's KV cache (<c>CreateKvCache</c>, <c>Prefill</c> of the cached tokens once, then per call
/// <c>Reset</c> + <c>Advance</c> back to them and the one-token <c>Forward</c>, which projects the new token, stores
/// its key/value and attends over the whole cache), with the cache in the precision asked for.
/// </summary>
public sealed class AttendEngine : IInProcessEngine
{
    private readonly Action _run;
    private readonly Action<int> _setThreads;
    private readonly float[] _output;
    private readonly float[]? _readFrom; // the layer workload's own output buffer (self-attention rows)

    private readonly KvCachePrecision _precision;

    /// <param name="c">The row.</param>
    /// <param name="precision">The KV cache's precision (decode rows only).</param>
    public AttendEngine(MhaCase c, KvCachePrecision precision = KvCachePrecision.Float32)
    {
        _precision = precision;
        _output = new float[c.OutputRows * c.ModelDim];
        if (c.Row.IsDecode)
        {
            if (c.ModelDim != CausalSelfAttention512.ModelDim || c.Heads != CausalSelfAttention512.Heads)
            {
                throw new ArgumentException("The decode row is declared for E = 512, H = 8.");
            }

            var layer = new CausalSelfAttention512();
            layer.LoadWeights(c.Weights);
            int cached = c.Length - 1;
            KvCache cache = layer.CreateKvCache(batch: 1, capacity: c.Length, precision);
            layer.Prefill(c.Tokens.AsSpan(0, cached * c.ModelDim), new float[cached * c.ModelDim], cached, cache);
            float[] token = c.TimedInput.ToArray();
            _run = () =>
            {
                cache.Reset();
                cache.Advance(cached);
                layer.Forward(token, _output, cache);
            };
            _setThreads = t => layer.MaxDegreeOfParallelism = t;
            return;
        }

        Workload workload = Workload.Create(c.Row, c.Weights, c.Tokens, null, null);
        _run = () => workload.Run();
        _setThreads = t => workload.Threads = t;
        _readFrom = workload.Output;
    }

    public string Name => _precision == KvCachePrecision.BFloat16 ? "Attend (bf16 cache)" : "Attend";

    public int Threads
    {
        set => _setThreads(value);
    }

    public void Run() => _run();

    public float[] ReadOutput() => (float[])(_readFrom ?? _output).Clone();

    public void Dispose()
    {
    }
}
