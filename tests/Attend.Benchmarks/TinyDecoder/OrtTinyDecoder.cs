using System;
using System.Collections.Generic;
using System.Linq;
using Attend.Benchmarks.InProcess;
using Attend.Samples.TinyDecoder;
using Microsoft.ML.OnnxRuntime;
using static Attend.Benchmarks.TinyDecoderPeers.TinyDecoderWeights;

namespace Attend.Benchmarks.TinyDecoderPeers;

/// <summary>How the ONNX graphs compute attention.</summary>
internal enum OrtAttentionOps
{
    /// <summary>Standard opset-17 operators, as <c>torch.onnx.export</c> writes a hand-written decoder.</summary>
    Standard,

    /// <summary>
    /// ONNX Runtime's contrib <c>com.microsoft.GroupQueryAttention</c>, as onnxruntime-genai's decoder models run: packed QKV
    /// in, rotary (<c>do_rotary</c>, half-split) from the cos/sin tables, one fused kernel per layer, and past and present bound
    /// to one buffer of every position per layer (past_present_share_buffer), so each run writes its tokens' keys/values in
    /// place instead of copying the cache. Measured on a loaded machine, sharing was 0–8 % faster than separate buffers.
    /// </summary>
    GroupQueryAttention,
}

/// <summary>
/// ONNX Runtime generating as an exported decoder runs: a prefill graph (<c>tokens [B, 9]</c> → logits of the last
/// position and each layer's <c>present_key/value [B, 2, 9, 16]</c>) and a one-token decode graph (<c>tokens [B, 1]</c>,
/// <c>past_key/value_l [B, 2, T, 16]</c> → logits and <c>present [B, 2, T + 1, 16]</c>), batch and cache length symbolic.
/// Attention is either standard operators (<see cref="OrtAttentionOps.Standard"/>: rotary positions are an int64 input that
/// gathers rows of train.py's cos/sin tables; grouped-query attention multiplies each key/value head's two query heads as
/// one <c>[2, L, 16]</c> block, no repeated K/V) or the contrib GroupQueryAttention operator (positions from
/// <c>seqlens_k</c>, the same tables as its cos/sin caches). GELU is the erf pattern <c>torch.onnx.export</c> writes at
/// opset 17, which ORT_ENABLE_ALL fuses. Every input and output is an <see cref="OrtValue"/> over pinned memory made once:
/// for standard operators one cache buffer per length 9 … 16, so step s reads the buffers step s − 1 wrote (no copies in
/// C#); for GroupQueryAttention one buffer of all 16 positions per layer, bound as both past and present. The argmax is in C#.
/// </summary>
internal sealed class OrtTinyDecoder : ITinyDecoderEngine
{
    private const int Group = Heads / KvHeads;

    private readonly int _batch;
    private readonly OrtAttentionOps _ops;
    private readonly InferenceSession _prefill, _decode;
    private readonly RunOptions _runOptions = new();
    private readonly OrtPinnedValues _values = new();
    private readonly long[] _promptTokens, _stepTokens, _stepPosition = GC.AllocateArray<long>(1, pinned: true);
    private readonly int[] _sequenceLengths, _totalLength = GC.AllocateArray<int>(1, pinned: true); // GroupQueryAttention's seqlens_k and total_sequence_length
    private readonly float[] _logits;
    private readonly string[] _prefillInputNames, _decodeInputNames, _outputNames;
    private readonly OrtValue[] _prefillInputs, _prefillOutputs;
    private readonly OrtValue[][] _decodeInputs, _decodeOutputs; // per decode step 1 … Answer − 1

    public OrtTinyDecoder(TinyDecoderWeights weights, int batch, int threads, OrtAttentionOps ops)
    {
        (_batch, _ops) = (batch, ops);
        using SessionOptions options = OrtPinnedValues.Options(threads);
        _prefill = new InferenceSession(BuildGraph(weights, ops, prefill: true), options);
        _decode = new InferenceSession(BuildGraph(weights, ops, prefill: false), options);

        string[] cacheNames(string prefix) => Enumerable.Range(0, Depth).SelectMany(l => new[] { $"{prefix}_key_{l}", $"{prefix}_value_{l}" }).ToArray();
        bool standard = ops == OrtAttentionOps.Standard, sharedCache = !standard;
        string[] positionNames = standard ? ["positions"] : ["seqlens_k", "total_sequence_length"];
        _prefillInputNames = ["tokens", .. positionNames, .. sharedCache ? cacheNames("past") : []];
        _decodeInputNames = ["tokens", .. positionNames, .. cacheNames("past")];
        _outputNames = ["logits", .. cacheNames("present")];

        _promptTokens = GC.AllocateArray<long>(batch * PromptLength, pinned: true);
        _stepTokens = GC.AllocateArray<long>(batch, pinned: true);
        _sequenceLengths = GC.AllocateArray<int>(batch, pinned: true);
        _logits = GC.AllocateArray<float>(batch * Vocabulary, pinned: true);
        OrtValue logits = _values.Over(_logits, batch, 1, Vocabulary);

        // Every layer's key and value buffers holding `length` positions: one set per length, so step s reads what step s − 1
        // wrote, or a single set of every position that each run updates in place.
        var cacheSets = new Dictionary<int, OrtValue[]>();
        OrtValue[] Cache(int length)
        {
            int positions = sharedCache ? Positions : length;
            if (!cacheSets.TryGetValue(positions, out OrtValue[]? set))
            {
                cacheSets[positions] = set = Enumerable.Range(0, 2 * Depth)
                    .Select(_ => _values.Over(GC.AllocateArray<float>(batch * KvHeads * positions * DimHead, pinned: true), batch, KvHeads, positions, DimHead)).ToArray();
            }

            return set;
        }

        OrtValue[] prefillPositions = standard
            ? [_values.Over(OrtPinnedValues.Pinned<long>(Enumerable.Range(0, PromptLength).Select(p => (long)p).ToArray()), PromptLength)]
            : [_values.Over(_sequenceLengths, batch), _values.Over(_totalLength)];
        OrtValue[] stepPositions = standard ? [_values.Over(_stepPosition, 1)] : prefillPositions;
        _prefillInputs = [_values.Over(_promptTokens, batch, PromptLength), .. prefillPositions, .. sharedCache ? Cache(PromptLength) : []];
        _prefillOutputs = [logits, .. Cache(PromptLength)];
        OrtValue stepTokens = _values.Over(_stepTokens, batch, 1);
        _decodeInputs = new OrtValue[Answer - 1][];
        _decodeOutputs = new OrtValue[Answer - 1][];
        for (int step = 1; step < Answer; step++)
        {
            _decodeInputs[step - 1] = [stepTokens, .. stepPositions, .. Cache(PromptLength + step - 1)];
            _decodeOutputs[step - 1] = [logits, .. Cache(PromptLength + step)];
        }
    }

    public string Name => _ops == OrtAttentionOps.Standard ? "ONNX Runtime 1.32 (standard ops)" : "ONNX Runtime 1.32 (GroupQueryAttention)";

    public void Generate(ReadOnlySpan<byte> prompts, Span<byte> answers, Span<float> logits)
    {
        int tokens = answers.Length / _batch;
        PromptTokens(prompts, _promptTokens);
        SetPositions(0, PromptLength);
        _prefill.Run(_runOptions, _prefillInputNames, _prefillInputs, _outputNames, _prefillOutputs);
        for (int step = 0; step < tokens; step++)
        {
            if (step > 0)
            {
                SetPositions(PromptLength + step - 1, 1); // the previous answer token follows the prompt and the answers before it
                _decode.Run(_runOptions, _decodeInputNames, _decodeInputs[step - 1], _outputNames, _decodeOutputs[step - 1]);
            }

            for (int b = 0; b < _batch; b++)
            {
                ReadOnlySpan<float> row = _logits.AsSpan(b * Vocabulary, Vocabulary);
                if (!logits.IsEmpty) row.CopyTo(logits.Slice((b * tokens + step) * Vocabulary));
                _stepTokens[b] = answers[b * tokens + step] = Sampler.Greedy.Choose(row);
            }
        }
    }

    /// <summary>The positions of the <paramref name="count"/> tokens a run feeds after <paramref name="past"/> cached ones.</summary>
    private void SetPositions(int past, int count)
    {
        _stepPosition[0] = past; // read by the standard decode graph (its prefill positions are the constant 0 … 8)
        Array.Fill(_sequenceLengths, past + count - 1); // GroupQueryAttention: total length − 1 per sequence
        _totalLength[0] = past + count;
    }

    public void Dispose()
    {
        _values.Dispose();
        _runOptions.Dispose();
        _prefill.Dispose();
        _decode.Dispose();
    }

    private static byte[] BuildGraph(TinyDecoderWeights w, OrtAttentionOps ops, bool prefill)
    {
        const long batch = -1, past = -2, total = -3; // symbolic dimensions
        int length = prefill ? PromptLength : 1;
        var g = new OnnxGraphBuilder();
        bool standard = ops == OrtAttentionOps.Standard, sharedCache = !standard;
        g.Int64Input("tokens", batch, length);
        if (standard)
        {
            g.Int64Input("positions", length);
        }
        else
        {
            g.Int32Input("seqlens_k", batch);
            g.Int32Input("total_sequence_length");
        }

        g.Output("logits", batch, 1, Vocabulary);

        (float[] cosTable, float[] sinTable) = RotaryTables();
        string cosCache = g.Constant("cos_table", cosTable, Positions, DimHead / 2), sinCache = g.Constant("sin_table", sinTable, Positions, DimHead / 2);
        string inverseSqrt2 = g.Constant("inverse_sqrt2", [1 / MathF.Sqrt(2)]), one = g.Constant("one", [1f]), half = g.Constant("half", [0.5f]);
        string cos = "", sin = "", queryShape = "", kvShape = "", mergedShape = "", qkvSizes = "", groupAxis = "", scale = "";
        string? causalMask = null;
        if (standard)
        {
            cos = g.Node("Gather", "cos", [cosCache, "positions"], ("axis", 0L)); // [L, d/2]
            sin = g.Node("Gather", "sin", [sinCache, "positions"], ("axis", 0L));
            queryShape = g.Int64Constant("query_shape", 0, length, KvHeads, Group, DimHead);
            kvShape = g.Int64Constant("kv_shape", 0, length, KvHeads, DimHead);
            mergedShape = g.Int64Constant("merged_shape", 0, length, Width);
            qkvSizes = g.Int64Constant("qkv_sizes", Heads * DimHead, KvHeads * DimHead, KvHeads * DimHead);
            groupAxis = g.Int64Constant("group_axis", 2);
            scale = g.Constant("scale", [1f / MathF.Sqrt(DimHead)]);
            causalMask = prefill ? g.Constant("causal_mask", OnnxAttentionGraph.CausalMask(length), length, length) : null;
        }

        string Rotary(string name, string x)
        {
            g.Node("Split", [name + "_x1", name + "_x2"], [x], ("axis", -1L));
            string first = g.Node("Sub", name + "_r1", [g.Node("Mul", name + "_x1c", [name + "_x1", cos]), g.Node("Mul", name + "_x2s", [name + "_x2", sin])]);
            string second = g.Node("Add", name + "_r2", [g.Node("Mul", name + "_x2c", [name + "_x2", cos]), g.Node("Mul", name + "_x1s", [name + "_x1", sin])]);
            return g.Node("Concat", name + "_rotated", [first, second], ("axis", -1L));
        }

        string x = g.Node("Gather", "embedded", [g.Constant("tok_emb", w["tok_emb.weight"], Vocabulary, Width), "tokens"], ("axis", 0L));
        for (int layer = 0; layer < Depth; layer++)
        {
            string p = $"l{layer}_";
            float[] W(string name) => w.Layer(layer, name);
            string normed = g.LayerNorm(p + "norm1", x, W("norm1.weight"), W("norm1.bias"));
            string qkv = g.Linear(p + "qkv", normed, W("self_attn.in_proj_weight"), W("self_attn.in_proj_bias"), (Heads + 2 * KvHeads) * DimHead, Width);
            bool hasPast = !prefill || sharedCache; // a shared cache is an input of the prefill too (nothing valid in it yet)
            string pastKey = hasPast ? $"past_key_{layer}" : "", pastValue = hasPast ? $"past_value_{layer}" : "";
            if (hasPast)
            {
                g.Input(pastKey, batch, KvHeads, past, DimHead);
                g.Input(pastValue, batch, KvHeads, past, DimHead);
            }

            long presentLength = sharedCache ? past : prefill ? length : total;
            g.Output($"present_key_{layer}", batch, KvHeads, presentLength, DimHead);
            g.Output($"present_value_{layer}", batch, KvHeads, presentLength, DimHead);
            string merged = p + "merged";
            if (standard)
            {
                StandardAttention(layer, qkv, pastKey, pastValue);
            }
            else
            {
                g.ContribNode("GroupQueryAttention", [merged, $"present_key_{layer}", $"present_value_{layer}"],
                    [qkv, "", "", pastKey, pastValue, "seqlens_k", "total_sequence_length", cosCache, sinCache],
                    ("num_heads", (long)Heads), ("kv_num_heads", (long)KvHeads), ("do_rotary", 1L), ("rotary_interleaved", 0L));
            }

            x = g.Node("Add", p + "attended", [x, g.Linear(p + "out", merged, W("self_attn.out_proj.weight"), W("self_attn.out_proj.bias"), Width, Heads * DimHead)]);

            string hidden = g.Linear(p + "linear1", g.LayerNorm(p + "norm2", x, W("norm2.weight"), W("norm2.bias")), W("linear1.weight"), W("linear1.bias"), MlpDim, Width);
            string erf = g.Node("Erf", p + "erf", [g.Node("Mul", p + "gelu_scaled", [hidden, inverseSqrt2])]);
            string gelu = g.Node("Mul", p + "gelu", [g.Node("Mul", p + "gelu_x", [hidden, g.Node("Add", p + "erf_plus_one", [erf, one])]), half]);
            x = g.Node("Add", p + "out_x", [x, g.Linear(p + "linear2", gelu, W("linear2.weight"), W("linear2.bias"), Width, MlpDim)]);
        }

        // Rotary, grouped-query attention and the head merge in standard operators: writes l{layer}_merged [B, L, E].
        void StandardAttention(int layer, string qkv, string pastKey, string pastValue)
        {
            string p = $"l{layer}_";
            g.Node("Split", [p + "q_flat", p + "k_flat", p + "v_flat"], [qkv, qkvSizes], ("axis", -1L));

            // Queries [B, KvHeads, Group, L, d]: query head h = kv · Group + g reads key/value head kv.
            string queries = g.Node("Transpose", p + "q", [g.Node("Reshape", p + "q_split", [p + "q_flat", queryShape])], ("perm", new long[] { 0, 2, 3, 1, 4 }));
            queries = g.Node("Mul", p + "q_scaled", [Rotary(p + "q", queries), scale]);
            string keys = Rotary(p + "k", g.Node("Transpose", p + "k", [g.Node("Reshape", p + "k_split", [p + "k_flat", kvShape])], ("perm", new long[] { 0, 2, 1, 3 })));
            string values = g.Node("Transpose", p + "v", [g.Node("Reshape", p + "v_split", [p + "v_flat", kvShape])], ("perm", new long[] { 0, 2, 1, 3 }));
            keys = prefill ? g.Node("Identity", $"present_key_{layer}", [keys]) : g.Node("Concat", $"present_key_{layer}", [pastKey, keys], ("axis", 2L));
            values = prefill ? g.Node("Identity", $"present_value_{layer}", [values]) : g.Node("Concat", $"present_value_{layer}", [pastValue, values], ("axis", 2L));
            string keysT = g.Node("Transpose", p + "k_t", [g.Node("Unsqueeze", p + "k_group", [keys, groupAxis])], ("perm", new long[] { 0, 1, 2, 4, 3 }));
            string scores = g.Node("MatMul", p + "scores", [queries, keysT]); // [B, KvHeads, Group, L, T]
            if (causalMask is not null) scores = g.Node("Add", p + "scores_masked", [scores, causalMask]);
            string context = g.Node("MatMul", p + "context", [g.Node("Softmax", p + "probabilities", [scores], ("axis", -1L)), g.Node("Unsqueeze", p + "v_group", [values, groupAxis])]);
            g.Node("Reshape", p + "merged", [g.Node("Transpose", p + "context_t", [context], ("perm", new long[] { 0, 3, 1, 2, 4 })), mergedShape]);
        }

        string last = g.Node("Gather", "last", [x, g.Int64Constant("last_position", length - 1)], ("axis", 1L)); // [B, 1, E]
        string final = g.LayerNorm("final_norm", last, w["blocks.norm.weight"], w["blocks.norm.bias"]);
        g.Linear("logits", final, w["lm_head.weight"], null, Vocabulary, Width);
        return g.ToModel(prefill ? "tiny_decoder_prefill" : "tiny_decoder_decode");
    }
}
