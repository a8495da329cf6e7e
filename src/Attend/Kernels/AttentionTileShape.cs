using System.ComponentModel;

namespace Attend.Kernels;

/// <summary>
/// The register tile one <see cref="KernelPath"/> of a generated <see cref="IAttentionHeadKernels"/> computes: how many
/// query rows a score or accumulate call covers, and how many keys one packed key block holds.
/// </summary>
/// <param name="QueryRows">Query rows per tile (Mr): <c>ScoreTile</c> and <c>AccumulateTile</c> always compute this many.</param>
/// <param name="KeyBlock">Keys per packed block (Nr): <c>PackKeys</c> writes blocks of <c>[DimHead, KeyBlock]</c>, and
/// <c>ScoreTile</c> computes whole blocks.</param>
[EditorBrowsable(EditorBrowsableState.Never)] // only generated code calls it: kept out of users' IntelliSense
public readonly record struct AttentionTileShape(int QueryRows, int KeyBlock);
