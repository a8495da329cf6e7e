// The generator compiles this file too (linked, as the other option enums are) and reads the names from it.
#if ATTEND_GENERATOR
namespace Attend.Generators;
#else
namespace Attend;
#endif

/// <summary>
/// How a layer keeps its projection weights (the <c>nn.Linear</c> weights of Q/K/V, output and feed-forward projections)
/// in memory. Activations, attention (scores, softmax, weighted sums), norms and every sum stay float32; only the stored
/// weights change, converted once at <c>LoadWeights</c> from whatever the file holds (F32, F16 or BF16).
/// </summary>
#if ATTEND_GENERATOR
internal
#else
public
#endif
enum WeightPrecision
{
    /// <summary>Float32 weights, as loaded: 4 bytes a weight, the reference.</summary>
    Float32 = 0,

    /// <summary>
    /// bfloat16 weights (rounded to nearest even at load; a BF16 file's values are kept exactly): 2 bytes a weight.
    /// Expect embedding cosines to float32 of about 0.9999 or better.
    /// </summary>
    BFloat16 = 1,

    /// <summary>
    /// int8 weights with a float scale per output feature and group of 64 input features (symmetric:
    /// <c>scale = max |w| / 127</c> over the group): 1.0625 bytes a weight.
    /// Expect embedding cosines to float32 of about 0.999 or better.
    /// </summary>
    Int8 = 2,

    /// <summary>
    /// int8 weights with a float scale per output feature and group of 128 input features, multiplied by activations
    /// rounded to 8 bits per row and 128 inputs (asymmetric: the group's own range, zero included): 1.03 bytes a weight.
    /// On processors with AVX-VNNI or AVX512-VNNI it multiplies four bytes per lane in one instruction, about twice the
    /// 512-bit float rate; elsewhere it emulates that exactly and runs slower than <see cref="Int8"/>.
    /// Expect embedding cosines to float32 of about 0.999.
    /// </summary>
    Int8ByteActivations = 3,
}
