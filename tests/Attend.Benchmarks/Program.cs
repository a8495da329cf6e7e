using System;
using BenchmarkDotNet.Running;

namespace Attend.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Attend.Benchmarks -- [table | inproc | steady | peer | external | minilm | minilm-stages | lowp | ort-int8 | stack-decode | tinydecoder | ab | tokenizer-parity | BenchmarkDotNet arguments]</c>:
/// <c>table</c> prints the quick in-process table, <c>inproc</c> the side-by-side table with ONNX Runtime and libtorch in
/// this process, <c>steady</c> how long after start a row reaches its final speed, <c>peer</c> serves the side-by-side script in <c>peers/</c>,
/// <c>external</c> the External-Attention modules beside PyTorch (cases from <c>peers/external_attention_torch.py</c>),
/// <c>digits</c> the Digits sample's ViT in images/s beside ONNX Runtime and libtorch,
/// <c>tokenizer-parity</c> measures the .NET BERT tokenizers against Hugging Face's ids, <c>minilm</c> times MiniLM embeddings beside ONNX Runtime
/// (<c>minilm-stages</c>: each stage's kernel alone), <c>lowp</c> times projections
/// and MiniLM with float32, bf16 and int8 weights, <c>ort-int8</c> MiniLM int8 beside ONNX Runtime's int8 model, <c>stack-decode</c> a decoding stack's step at each weight and
/// KV-cache precision, <c>tinydecoder</c> the TinyDecoder sample's tokens/s beside ONNX Runtime and libtorch, <c>ab</c> two builds of
/// this project in one process (before/after a change),
/// anything else goes to BenchmarkDotNet (e.g. <c>--filter *</c>).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "table")
        {
            return QuickTable.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "inproc")
        {
            return InProcess.InProcessCommand.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "steady")
        {
            return InProcess.SteadyStateCommand.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "peer")
        {
            return PeerCommand.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "external")
        {
            return ExternalAttention.ExternalAttentionCommand.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "lowp")
        {
            return LowPrecisionCommand.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "ort-int8")
        {
            return OrtInt8Command.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "minilm")
        {
            return MiniLmCommand.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "minilm-stages")
        {
            return MiniLmStagesCommand.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "digits")
        {
            return Digits.DigitsCommand.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "stack-decode")
        {
            return StackDecodeCommand.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "tinydecoder")
        {
            return TinyDecoderPeers.TinyDecoderCommand.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "ab")
        {
            return BuildComparisonCommand.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "tokenizer-parity")
        {
            return Tokenizers.TokenizerParityCommand.Run();
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
