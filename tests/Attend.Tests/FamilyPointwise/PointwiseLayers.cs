using Attend;

namespace Attend.Tests.FamilyPointwise;

// External-Attention modules at the fixtures' shapes (see TestData/fixtures and /work/shared/fixtures/README.md).
[SimAm(Channels = 8)] internal sealed partial class SimAmC8;
[SimAm(Channels = 64)] internal sealed partial class SimAmC64;
[SimAm(Channels = 8, Lambda = 0.1f)] internal sealed partial class SimAmC8Lambda0p1;
[SimAm(Channels = 64, Lambda = 0.1f)] internal sealed partial class SimAmC64Lambda0p1;
[ShuffleAttention(Channels = 32, Groups = 4)] internal sealed partial class ShuffleC32G4;
[ShuffleAttention(Channels = 128, Groups = 4)] internal sealed partial class ShuffleC128G4;
[ShuffleAttention(Channels = 32, Groups = 8)] internal sealed partial class ShuffleC32G8;
[ShuffleAttention(Channels = 128)] internal sealed partial class ShuffleC128G8;
[CoordinateAttention(Channels = 40, Reduction = 4)] internal sealed partial class CoordC40R4;
[CoordinateAttention(Channels = 128, Reduction = 4)] internal sealed partial class CoordC128R4;
[CoordinateAttention(Channels = 40)] internal sealed partial class CoordC40R32;
[CoordinateAttention(Channels = 128, Reduction = 32)] internal sealed partial class CoordC128R32;
[PolarizedSelfAttention(Channels = 16)] internal sealed partial class PsaC16Parallel;
[PolarizedSelfAttention(Channels = 128)] internal sealed partial class PsaC128Parallel;
[PolarizedSelfAttention(Channels = 16, Layout = PolarizedLayout.Sequential)] internal sealed partial class PsaC16Sequential;
[PolarizedSelfAttention(Channels = 128, Layout = PolarizedLayout.Sequential)] internal sealed partial class PsaC128Sequential;

// Odd channel counts (C // 2 rounds down) against PyTorch cases made by scripts/fixtures_pointwise/make_psa_odd_channels.py.
[PolarizedSelfAttention(Channels = 15)] internal sealed partial class PsaC15Parallel;
[PolarizedSelfAttention(Channels = 15, Layout = PolarizedLayout.Sequential)] internal sealed partial class PsaC15Sequential;

[ExternalAttention(ModelDim = 15, MemoryUnits = 8)] internal sealed partial class ExternalD15S8;
[ExternalAttention(ModelDim = 128, MemoryUnits = 8)] internal sealed partial class ExternalD128S8;
[ExternalAttention(ModelDim = 15)] internal sealed partial class ExternalD15S64;
[ExternalAttention(ModelDim = 128, MemoryUnits = 64)] internal sealed partial class ExternalD128S64;
[SeparableSelfAttention(ModelDim = 15)] internal sealed partial class SeparableD15;
[SeparableSelfAttention(ModelDim = 128)] internal sealed partial class SeparableD128;
[SeparableSelfAttention(ModelDim = 15, ValueRelu = true)] internal sealed partial class SeparableD15Relu;
[SeparableSelfAttention(ModelDim = 128, ValueRelu = true)] internal sealed partial class SeparableD128Relu;
