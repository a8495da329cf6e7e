using System;
using System.ComponentModel;

namespace Attend.Kernels;

/// <summary>
/// The input side of BERT-family models: token ids checked against their tables, and each token's row summed from the
/// word, position and token-type embeddings (<c>BertEmbeddings</c> before its LayerNorm).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)] // only generated code calls it: kept out of users' IntelliSense
public static class TokenEmbeddings
{
    /// <summary>Throws unless every id lies in <c>[0, count)</c>; the message names the argument, the position and the value.</summary>
    /// <param name="ids">The ids.</param>
    /// <param name="count">Rows of the table they index.</param>
    /// <param name="name">The argument's name.</param>
    /// <param name="table">What the rows are, e.g. <c>VocabSize</c>.</param>
    public static void CheckIds(ReadOnlySpan<int> ids, int count, string name, string table)
    {
        for (int i = 0; i < ids.Length; i++)
        {
            if ((uint)ids[i] >= (uint)count)
            {
                throw new ArgumentException($"{name}[{i}] is {ids[i]}; ids must lie in 0..{count - 1} ({table} = {count}).", name);
            }
        }
    }

    /// <summary>Throws unless every mask value is 0 (padding) or 1 (a real token).</summary>
    public static void CheckAttentionMask(ReadOnlySpan<int> attentionMask, string name)
    {
        for (int i = 0; i < attentionMask.Length; i++)
        {
            if ((uint)attentionMask[i] > 1)
            {
                throw new ArgumentException($"{name}[{i}] is {attentionMask[i]}; the attention mask holds 1 for a real token and 0 for padding.", name);
            }
        }
    }

    /// <summary>
    /// <c>output[b, t] = word[inputIds[b, t]] + position[t] + tokenType[tokenTypeIds[b, t]]</c> (type 0 when
    /// <paramref name="tokenTypeIds"/> is empty). Ids must already be checked.
    /// </summary>
    /// <param name="path">The instruction-set path.</param>
    /// <param name="inputIds"><c>[batch, length]</c>.</param>
    /// <param name="tokenTypeIds"><c>[batch, length]</c> or empty.</param>
    /// <param name="length">Tokens per sequence; positions run 0..length − 1.</param>
    /// <param name="features">Width of every table row.</param>
    /// <param name="word"><c>[vocab, features]</c>.</param>
    /// <param name="position"><c>[maxPositions, features]</c>, at least <paramref name="length"/> rows.</param>
    /// <param name="tokenType"><c>[types, features]</c>.</param>
    /// <param name="output"><c>[batch, length, features]</c>.</param>
    public static void Sum(KernelPath path, ReadOnlySpan<int> inputIds, ReadOnlySpan<int> tokenTypeIds, int length, int features,
        ReadOnlySpan<float> word, ReadOnlySpan<float> position, ReadOnlySpan<float> tokenType, Span<float> output)
    {
        SpanChecks.Exact(output.Length, (long)inputIds.Length * features, nameof(output), "inputIds.Length × features");
        for (int row = 0; row < inputIds.Length; row++)
        {
            Span<float> destination = output.Slice(row * features, features);
            int type = tokenTypeIds.IsEmpty ? 0 : tokenTypeIds[row];
            Elementwise.Add(path, word.Slice(inputIds[row] * features, features), position.Slice(row % length * features, features), destination);
            Elementwise.Add(path, destination, tokenType.Slice(type * features, features), destination);
        }
    }
}
