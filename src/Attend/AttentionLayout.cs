namespace Attend;

/// <summary>How the query, key, value and output tensors of a scaled dot-product attention call are laid out.</summary>
public enum AttentionLayout
{
    /// <summary>4-D <c>[batch, heads, sequence, headWidth]</c>: each head's rows are contiguous (ONNX 4-D inputs).</summary>
    BatchHeadSequence = 0,

    /// <summary>
    /// 3-D <c>[batch, sequence, heads · headWidth]</c>: each sequence position holds every head side by side
    /// (ONNX 3-D inputs with <c>q_num_heads</c>/<c>kv_num_heads</c>, PyTorch's <c>batch_first</c> hidden states).
    /// </summary>
    BatchSequenceHidden = 1,
}
