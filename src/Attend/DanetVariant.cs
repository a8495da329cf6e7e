// The generator compiles this file too (linked, as AttentionMask.cs is) and reads the values from it instead of a copy;
// there the enum is internal and in the generator's namespace, clear of Attend.dll's in any assembly that sees both.
#if ATTEND_GENERATOR
namespace Attend.Generators;
#else
namespace Attend;
#endif

/// <summary>Which of the two published forms of DANet's attention modules a layer mirrors.</summary>
#if ATTEND_GENERATOR
internal
#else
public
#endif
enum DanetVariant
{
    /// <summary>
    /// External-Attention-pytorch's <c>model/attention/DANet.py</c> heads: a k×k convolution <c>cnn</c> (padding k/2, bias)
    /// first, then scaled dot-product attention (<c>pa.fc_q/k/v/o</c> for positions, scale 1/√C; none but
    /// <c>pa.fc_o</c> = <c>Linear(H·W, H·W)</c> for channels, scale 1/√(H·W)); no residual.
    /// </summary>
    Collection = 0,

    /// <summary>
    /// The DANet authors' <c>PAM_Module</c> / <c>CAM_Module</c> (junfu1115/DANet <c>encoding/nn/da_att.py</c>): 1×1
    /// <c>query_conv</c>/<c>key_conv</c>/<c>value_conv</c> for positions, none for channels, no scale, and
    /// <c>y = gamma · out + x</c>.
    /// </summary>
    Official = 1,
}
