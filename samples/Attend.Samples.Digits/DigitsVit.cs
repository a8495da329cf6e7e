namespace Attend.Samples.Digits;

/// <summary>
/// The classifier train.py trains: lucidrains' ViT (current naming) on 8×8 one-channel digits in 2×2 patches. The
/// attribute is the whole declaration; the generator writes LoadWeights, Forward and the kernels at compile time.
/// </summary>
[VisionTransformer(ImageSize = 8, PatchSize = 2, Channels = 1, Classes = 10, ModelDim = 32, Depth = 2, Heads = 4, DimHead = 8, MlpDim = 64)]
public sealed partial class DigitsVit;
