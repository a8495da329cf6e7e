using System;

namespace Attend.Text;

/// <summary>
/// Per-thread buffers for normalising and encoding, so that encoding allocates nothing once they have grown
/// to the longest input seen; one set per thread keeps a tokenizer safe to share between threads.
/// </summary>
internal sealed class TokenizerScratch
{
    [ThreadStatic]
    private static TokenizerScratch? t_current;

    public static TokenizerScratch ForCurrentThread => t_current ??= new TokenizerScratch();

    /// <summary>After clean-up and CJK spacing.</summary>
    public char[] Cleaned = new char[256];

    /// <summary>After lower-casing.</summary>
    public char[] Lowered = new char[256];

    /// <summary>After canonical decomposition and mark removal.</summary>
    public char[] Decomposed = new char[256];

    /// <summary>Ids of the text being encoded (first text of a pair).</summary>
    public int[] Ids = new int[256];

    /// <summary>Ids of the second text of a pair.</summary>
    public int[] PairIds = new int[256];

    /// <summary>Ids of every text of a batch, back to back, before they are padded into the caller's rows.</summary>
    public int[] BatchIds = new int[4096];

    /// <summary>Number of ids of each text of a batch in <see cref="BatchIds"/>.</summary>
    public int[] BatchLengths = new int[64];

    /// <summary>Grows <paramref name="buffer"/> to hold at least <paramref name="length"/> items, keeping its first <paramref name="keep"/>.</summary>
    public static void EnsureCapacity<T>(ref T[] buffer, int length, int keep = 0)
    {
        if (buffer.Length >= length)
        {
            return;
        }

        T[] grown = new T[Math.Max(length, checked(buffer.Length * 2))];
        buffer.AsSpan(0, keep).CopyTo(grown);
        buffer = grown;
    }
}
