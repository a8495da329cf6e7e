using System;

namespace Attend.Text;

public sealed partial class BertTokenizer
{
    /// <summary>
    /// Encodes one text, or a pair, as <c>[CLS] text [SEP]</c> or <c>[CLS] text [SEP] pair [SEP]</c>, truncated to
    /// <paramref name="maxLength"/> as Hugging Face's <c>truncation=True</c> does (longest first, special tokens kept).
    /// </summary>
    /// <param name="text">The (first) text.</param>
    /// <param name="pair">The second text, or <see langword="null"/> for a single text.</param>
    /// <param name="maxLength">Longest result; <see langword="null"/> for <see cref="MaxLength"/>, <see cref="int.MaxValue"/> for no truncation.</param>
    public BertEncoding Encode(string text, string? pair = null, int? maxLength = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        int limit = maxLength ?? MaxLength;
        if (limit < (pair is null ? 2 : 3))
        {
            throw new ArgumentOutOfRangeException(nameof(maxLength), limit, $"maxLength must be at least {(pair is null ? 2 : 3)}: the special tokens alone take that many.");
        }

        TokenizerScratch scratch = TokenizerScratch.ForCurrentThread;
        int firstCount = 0;
        AppendTextIds(text, ref scratch.Ids, ref firstCount, scratch);
        if (pair is null)
        {
            int kept = Math.Min(firstCount, limit - 2);
            var ids = new int[kept + 2];
            WriteSingle(scratch.Ids.AsSpan(0, kept), ids);
            return new BertEncoding(ids, new int[ids.Length]);
        }

        int secondCount = 0;
        AppendTextIds(pair, ref scratch.PairIds, ref secondCount, scratch);
        (int firstKept, int secondKept) = TruncatePair(firstCount, secondCount, limit - 3);
        var pairIds = new int[firstKept + secondKept + 3];
        var typeIds = new int[pairIds.Length];
        pairIds[0] = ClassificationId;
        scratch.Ids.AsSpan(0, firstKept).CopyTo(pairIds.AsSpan(1));
        pairIds[firstKept + 1] = SeparatorId;
        scratch.PairIds.AsSpan(0, secondKept).CopyTo(pairIds.AsSpan(firstKept + 2));
        pairIds[^1] = SeparatorId;
        typeIds.AsSpan(firstKept + 2).Fill(1);
        return new BertEncoding(pairIds, typeIds);
    }

    /// <summary>
    /// Number of tokens <paramref name="text"/> encodes to, <c>[CLS]</c> and <c>[SEP]</c> included, before truncation:
    /// what a caller needs to sort texts by length into batches. Allocates nothing once warm.
    /// </summary>
    /// <param name="text">The text.</param>
    public int CountTokens(ReadOnlySpan<char> text)
    {
        TokenizerScratch scratch = TokenizerScratch.ForCurrentThread;
        int count = 0;
        AppendTextIds(text, ref scratch.Ids, ref count, scratch);
        return count + 2;
    }

    /// <summary>
    /// Encodes a batch of single texts into caller-owned row-major <c>[batch, length]</c> buffers, the inputs of a
    /// BERT encoder: ids (<see cref="PaddingId"/> after each text's end), the attention mask (1 = real token,
    /// 0 = padding, Hugging Face's polarity) and token type ids (all 0). Each text is truncated to
    /// <see cref="MaxLength"/> with its <c>[SEP]</c> kept. Allocates nothing once warm.
    /// </summary>
    /// <param name="texts">The texts, one per row.</param>
    /// <param name="inputIds">At least <c>texts.Length × length</c> ids.</param>
    /// <param name="attentionMask">At least <c>texts.Length × length</c> mask values.</param>
    /// <param name="tokenTypeIds">At least <c>texts.Length × length</c> token type ids.</param>
    /// <param name="sequenceLength">Row length: 0 pads to the longest encoded text; otherwise a fixed length from 2 to <see cref="MaxLength"/>.</param>
    /// <returns>The row length used: rows are written back to back with this stride.</returns>
    public int EncodeBatch(ReadOnlySpan<string> texts, Span<int> inputIds, Span<int> attentionMask, Span<int> tokenTypeIds, int sequenceLength = 0)
    {
        if (sequenceLength != 0 && (sequenceLength < 2 || sequenceLength > MaxLength))
        {
            throw new ArgumentOutOfRangeException(nameof(sequenceLength), sequenceLength, $"sequenceLength must be 0 (pad to the longest text) or from 2 to MaxLength ({MaxLength}).");
        }

        for (int i = 0; i < texts.Length; i++)
        {
            if (texts[i] is null)
            {
                throw new ArgumentException($"texts[{i}] is null; every text must be a string (empty is allowed).", nameof(texts));
            }
        }

        TokenizerScratch scratch = TokenizerScratch.ForCurrentThread;
        int limit = sequenceLength == 0 ? MaxLength : sequenceLength;
        TokenizerScratch.EnsureCapacity(ref scratch.BatchLengths, texts.Length);
        int longest = 0;
        int total = 0;
        for (int i = 0; i < texts.Length; i++)
        {
            int count = 0;
            AppendTextIds(texts[i], ref scratch.Ids, ref count, scratch);
            int kept = Math.Min(count, limit - 2);
            TokenizerScratch.EnsureCapacity(ref scratch.BatchIds, checked(total + kept), keep: total);
            scratch.Ids.AsSpan(0, kept).CopyTo(scratch.BatchIds.AsSpan(total));
            scratch.BatchLengths[i] = kept;
            total += kept;
            longest = Math.Max(longest, kept + 2);
        }

        int length = sequenceLength == 0 ? longest : sequenceLength;
        int required = checked(texts.Length * length);
        RequireLength(inputIds.Length, required, nameof(inputIds), texts.Length, length);
        RequireLength(attentionMask.Length, required, nameof(attentionMask), texts.Length, length);
        RequireLength(tokenTypeIds.Length, required, nameof(tokenTypeIds), texts.Length, length);

        int offset = 0;
        for (int i = 0; i < texts.Length; i++)
        {
            int kept = scratch.BatchLengths[i];
            Span<int> row = inputIds.Slice(i * length, length);
            WriteSingle(scratch.BatchIds.AsSpan(offset, kept), row);
            row[(kept + 2)..].Fill(PaddingId);
            attentionMask.Slice(i * length, kept + 2).Fill(1);
            attentionMask.Slice(i * length + kept + 2, length - kept - 2).Clear();
            offset += kept;
        }

        tokenTypeIds[..required].Clear();
        return length;
    }

    private static void RequireLength(int actual, int required, string name, int batch, int length)
    {
        if (actual < required)
        {
            throw new ArgumentException($"{name} holds {actual} values; expected at least {required} (batch {batch} × length {length}).", name);
        }
    }

    private void WriteSingle(ReadOnlySpan<int> pieces, Span<int> destination)
    {
        destination[0] = ClassificationId;
        pieces.CopyTo(destination[1..]);
        destination[pieces.Length + 1] = SeparatorId;
    }

    /// <summary>
    /// The Rust tokenizers' longest-first rule (utils/truncation.rs): the shorter text is kept whole when the
    /// longer can take the rest; otherwise each gets half of <paramref name="budget"/>, the second the odd one.
    /// </summary>
    private static (int First, int Second) TruncatePair(int first, int second, int budget)
    {
        if (first + second <= budget)
        {
            return (first, second);
        }

        bool swapped = first > second;
        (int shorter, int longer) = swapped ? (second, first) : (first, second);
        longer = shorter > budget ? shorter : Math.Max(shorter, budget - shorter);
        if (shorter + longer > budget)
        {
            shorter = budget / 2;
            longer = shorter + budget % 2;
        }

        return swapped ? (longer, shorter) : (shorter, longer);
    }
}
