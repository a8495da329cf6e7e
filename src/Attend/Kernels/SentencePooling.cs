using System;
using System.ComponentModel;

namespace Attend.Kernels;

/// <summary>
/// Pools a last hidden state <c>[batch, length, features]</c> into one vector per sequence as sentence-transformers'
/// <c>Pooling</c> and <c>Normalize</c> modules do. A sequence with no real token pools to zeros, never NaN.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)] // only generated code calls it: kept out of users' IntelliSense
public static class SentencePooling
{
    /// <summary>The mean over the tokens whose mask is 1 (<c>sum / max(count, 1e-9)</c>, as sentence-transformers clamps it).</summary>
    public static void Mean(KernelPath path, ReadOnlySpan<float> hidden, ReadOnlySpan<int> attentionMask, int batch, int length, int features, Span<float> output)
    {
        Check(hidden, attentionMask, batch, length, features, output);
        for (int b = 0; b < batch; b++)
        {
            Span<float> sum = output.Slice(b * features, features);
            sum.Clear();
            int count = 0;
            for (int t = 0; t < length; t++)
            {
                if (attentionMask[b * length + t] == 0) continue;
                Elementwise.Add(path, sum, hidden.Slice((b * length + t) * features, features), sum);
                count++;
            }

            if (count > 0) Scale(sum, 1f / count);
        }
    }

    /// <summary>The element-wise maximum over the tokens whose mask is 1.</summary>
    public static void Max(ReadOnlySpan<float> hidden, ReadOnlySpan<int> attentionMask, int batch, int length, int features, Span<float> output)
    {
        Check(hidden, attentionMask, batch, length, features, output);
        for (int b = 0; b < batch; b++)
        {
            Span<float> maximum = output.Slice(b * features, features);
            bool any = false;
            for (int t = 0; t < length; t++)
            {
                if (attentionMask[b * length + t] == 0) continue;
                ReadOnlySpan<float> row = hidden.Slice((b * length + t) * features, features);
                if (!any) row.CopyTo(maximum);
                else System.Numerics.Tensors.TensorPrimitives.Max(maximum, row, maximum);
                any = true;
            }

            if (!any) maximum.Clear();
        }
    }

    /// <summary>Each sequence's first token (<c>[CLS]</c>).</summary>
    public static void First(ReadOnlySpan<float> hidden, int batch, int length, int features, Span<float> output)
    {
        SpanChecks.Exact(hidden.Length, (long)batch * length * features, nameof(hidden), "batch × length × features");
        SpanChecks.Exact(output.Length, (long)batch * features, nameof(output), "batch × features");
        for (int b = 0; b < batch; b++) hidden.Slice(b * length * features, features).CopyTo(output.Slice(b * features, features));
    }

    /// <summary>Scales each row to unit L2 norm (<c>x / max(‖x‖, 1e-12)</c>, as <c>torch.nn.functional.normalize</c>).</summary>
    public static void NormalizeRows(Span<float> rows, int features)
    {
        for (int start = 0; start < rows.Length; start += features)
        {
            Span<float> row = rows.Slice(start, features);
            double squares = 0;
            foreach (float value in row) squares += (double)value * value;
            Scale(row, (float)(1.0 / Math.Max(Math.Sqrt(squares), 1e-12)));
        }
    }

    private static void Scale(Span<float> values, float factor) =>
        System.Numerics.Tensors.TensorPrimitives.Multiply(values, factor, values);

    private static void Check(ReadOnlySpan<float> hidden, ReadOnlySpan<int> attentionMask, int batch, int length, int features, Span<float> output)
    {
        SpanChecks.Exact(hidden.Length, (long)batch * length * features, nameof(hidden), "batch × length × features");
        SpanChecks.Exact(attentionMask.Length, (long)batch * length, nameof(attentionMask), "batch × length");
        SpanChecks.Exact(output.Length, (long)batch * features, nameof(output), "batch × features");
    }
}
