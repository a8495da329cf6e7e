using System;
using BenchmarkDotNet.Running;

namespace Attend.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Attend.Benchmarks -- [table | peer | tokenizer-parity | BenchmarkDotNet arguments]</c>:
/// <c>table</c> prints the quick in-process table, <c>peer</c> serves the side-by-side script in <c>peers/</c>,
/// <c>tokenizer-parity</c> measures the .NET BERT tokenizers against Hugging Face's ids,
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

        if (args.Length > 0 && args[0] == "peer")
        {
            return PeerCommand.Run(args[1..]);
        }

        if (args.Length > 0 && args[0] == "tokenizer-parity")
        {
            return Tokenizers.TokenizerParityCommand.Run();
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
