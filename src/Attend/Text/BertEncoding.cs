namespace Attend.Text;

/// <summary>One encoded sequence, as Hugging Face's tokenizers return it for a single text or a pair.</summary>
/// <param name="InputIds">Token ids, <c>[CLS]</c> and <c>[SEP]</c> included.</param>
/// <param name="TokenTypeIds">0 for the first text and its special tokens, 1 for the second text and its closing <c>[SEP]</c>.</param>
public sealed record BertEncoding(int[] InputIds, int[] TokenTypeIds)
{
    /// <summary>Number of tokens in the sequence.</summary>
    public int Length => InputIds.Length;
}
