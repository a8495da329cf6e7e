namespace Attend;

/// <summary>
/// Which stage of the attention scores an optional score output captures, as ONNX <c>Attention</c>'s
/// <c>qk_matmul_output_mode</c> attribute. The output is always <c>[batch, heads, queryLength, totalKeyLength]</c>.
/// </summary>
public enum QkMatMulOutputMode
{
    /// <summary>The scaled product <c>scale · Q·Kᵀ</c>, before softcap, bias and softmax (ONNX mode 0).</summary>
    RawScores = 0,

    /// <summary>After the softcap <c>softcap · tanh(s / softcap)</c>; the same as <see cref="RawScores"/> when softcap is off (ONNX mode 1).</summary>
    AfterSoftcap = 1,

    /// <summary>After the bias (explicit mask, causal mask, padding) was added: masked positions hold negative infinity (ONNX mode 2).</summary>
    AfterMask = 2,

    /// <summary>After the softmax: the attention probabilities; a fully masked row is all zeros (ONNX mode 3).</summary>
    AfterSoftmax = 3,
}
