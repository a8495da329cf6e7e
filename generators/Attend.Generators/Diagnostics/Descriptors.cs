namespace Attend.Generators.Diagnostics;

/// <summary>Every diagnostic Attend reports; the README's "Diagnostics" table mirrors this one.</summary>
internal static class Descriptors
{
    private const string Category = "Attend";
    private const string HelpBase = "README.md#";

    public static readonly DiagnosticDescriptor ClassNotPartial = Error(
        "ATTEND001", "Layer class must be partial",
        "Class '{0}' carries [{1}] but is not partial; add the 'partial' modifier so Attend can generate its forward pass");

    public static readonly DiagnosticDescriptor ContainingTypeNotPartial = Error(
        "ATTEND002", "Containing type must be partial",
        "Type '{0}' contains the layer '{1}' but is not partial; add the 'partial' modifier to every enclosing type");

    public static readonly DiagnosticDescriptor GenericLayer = Error(
        "ATTEND003", "Layer class cannot be generic",
        "Class '{0}' is generic; a layer's shapes are compile-time constants, so declare one non-generic class per shape");

    public static readonly DiagnosticDescriptor NotPositive = Error(
        "ATTEND004", "Size must be positive",
        "{0} is {1} on '{2}'; set it to a positive integer{3}");

    public static readonly DiagnosticDescriptor ModelDimNotDivisible = Error(
        "ATTEND005", "ModelDim must divide evenly into heads",
        "ModelDim {0} is not a multiple of Heads {1} on '{2}', so DimHead has no default; use a ModelDim divisible by Heads (e.g. {3}) or set DimHead explicitly");

    public static readonly DiagnosticDescriptor HeadsNotDivisibleByKvHeads = Error(
        "ATTEND006", "Heads must be a multiple of KvHeads",
        "Heads {0} is not a multiple of KvHeads {1} on '{2}'; each key/value head must serve the same number of query heads (use a divisor of {0}, e.g. {3})");

    public static readonly DiagnosticDescriptor UnsupportedMask = Error(
        "ATTEND007", "Unsupported mask",
        "Mask value {0} on '{1}' is not supported; use AttentionMask.None, Causal, KeyPadding or Causal | KeyPadding");

    public static readonly DiagnosticDescriptor HugeHead = Warning(
        "ATTEND008", "Head size makes the emitted kernel very large",
        "{0} {1} on '{2}' exceeds 512: every kernel unrolls the head into registers, so each emitted method grows with it and spills; consider more heads of a smaller size");

    public static readonly DiagnosticDescriptor InvalidScale = Error(
        "ATTEND009", "Scale must be a positive finite number",
        "Scale {0} on '{1}' is not a positive finite number; leave it at 0 for 1/sqrt(DimHead) or give a positive value");

    public static readonly DiagnosticDescriptor InternalError = Error(
        "ATTEND010", "Attend generator failed",
        "Attend could not generate '{0}': {1}. Please report this with the declaration that caused it.");

    public static readonly DiagnosticDescriptor ConflictingAttributes = Error(
        "ATTEND011", "One class, one layer attribute",
        "Class '{0}' carries both [{1}] and [{2}]; a class declares one layer, so move one attribute to another partial class");

    public static readonly DiagnosticDescriptor SizeTooLarge = Error(
        "ATTEND012", "Layer is too large",
        "{0} on '{1}' needs {2} weights per matrix, more than a .NET array holds; reduce ModelDim, Heads or DimHead");

    // ATTEND040 (a block option not a defined value) and ATTEND021 (a graph/pooling option not defined) were retired
    // before any release: every attribute now reports an undefined enum value as ATTEND032 (UndefinedOption). Don't reuse them.

    public static readonly DiagnosticDescriptor NamingFixesNormPlacement = Error(
        "ATTEND041", "This weight naming is pre-norm",
        "WeightNaming {0} on '{1}' normalizes before each sublayer (lucidrains Transformer), so Norm = Post cannot load it; remove Norm or use WeightNaming = TorchEncoder");

    public static readonly DiagnosticDescriptor HeadWidthFixedByTorch = Error(
        "ATTEND042", "torch.nn layers split ModelDim across heads",
        "DimHead {0} on '{1}' differs from ModelDim / Heads = {2}; torch.nn.TransformerEncoderLayer has no separate head width, so remove DimHead or use a lucidrains WeightNaming");

    public static readonly DiagnosticDescriptor PositionsNeedSize = Error(
        "ATTEND043", "Position encoding needs a size",
        "Positions = {0} on '{1}' needs {2}; set it to a positive value");

    public static readonly DiagnosticDescriptor InvalidRotaryDim = Error(
        "ATTEND044", "Rotary width must be even and fit the head",
        "RotaryDim {0} on '{1}' must be a positive even number no larger than DimHead {2}; use e.g. {3}");

    public static readonly DiagnosticDescriptor InvalidFloatOption = Error(
        "ATTEND045", "Option must be a positive finite number",
        "{0} = {1} on '{2}' is not a positive finite number; leave it at 0 for {3} or give a positive value");

    public static readonly DiagnosticDescriptor ImageNotDivisibleByPatch = Error(
        "ATTEND046", "ImageSize must be a multiple of PatchSize",
        "ImageSize {0} on '{1}' is not a multiple of PatchSize {2}; use a PatchSize that divides it (e.g. {3}) or pad the images");

    public static readonly DiagnosticDescriptor NamingNotAvailable = Error(
        "ATTEND047", "Weight naming not available for this block",
        "WeightNaming {0} is not available on [{1}] '{2}'; use {3}");

    public static readonly DiagnosticDescriptor OptionHasNoEffect = Warning(
        "ATTEND048", "Option has no effect",
        "{0} on '{1}' has no effect {2}; remove it or {3}");
    public static readonly DiagnosticDescriptor ReductionLeavesNoChannels = Error(
        "ATTEND030", "Reduction leaves no hidden channels",
        "Reduction {0} on '{1}' leaves Channels / Reduction = {2} / {0} = 0 hidden channels; use a Reduction of at most {2}, or set {3} directly");

    public static readonly DiagnosticDescriptor EvenKernelSize = Error(
        "ATTEND031", "Kernel size must be odd",
        "{0} {1} on '{2}' is even; zero padding of (k - 1) / 2 keeps the size only for odd kernels, so use {3} or {4}");

    public static readonly DiagnosticDescriptor UndefinedOption = Error(
        "ATTEND032", "Option value is not defined",
        "{0} = {1} on '{2}' is not a defined value; use one of {3}");

    public static readonly DiagnosticDescriptor ScoreNeedsEqualSizes = Error(
        "ATTEND033", "Score compares queries and keys of different sizes",
        "Score = {0} on '{1}' compares queries with keys directly, so KeySize ({2}) must equal QuerySize ({3}); remove KeySize, or use Score = General, Additive or Mlp, which project the keys");

    public static readonly DiagnosticDescriptor UnusedOption = Warning(
        "ATTEND034", "Option has no effect",
        "{0} on '{1}' has no effect {2}; remove it");

    public static readonly DiagnosticDescriptor SizeExceedsLimit = Error(
        "ATTEND035", "Size exceeds what the layer supports",
        "{0} = {1} on '{2}' exceeds {3}: {4}");
    public static readonly DiagnosticDescriptor NegativeSlopeNotFinite = Error(
        "ATTEND020", "NegativeSlope must be a finite number",
        "NegativeSlope {0} on '{1}' is not a finite number; give LeakyReLU a finite slope such as 0.2 (the GAT paper's) or leave it out");

    public static readonly DiagnosticDescriptor ShiftRadiusOutOfRange = Error(
        "ATTEND022", "ShiftRadius out of range",
        "ShiftRadius {0} on '{1}' must lie in 0..{2}: the 2·ShiftRadius + 1 shift offsets must be distinct positions of a memory of MemoryRows {3}; use 1 for the paper's −1, 0, +1");

    public static readonly DiagnosticDescriptor NotPositiveFinite = Error(
        "ATTEND023", "Value must be a positive finite number",
        "{0} {1} on '{2}' is not a positive finite number; {3}");

    public static readonly DiagnosticDescriptor BandwidthWithLearnableWidth = Error(
        "ATTEND024", "Bandwidth conflicts with LearnableWidth",
        "'{0}' sets both Bandwidth and LearnableWidth; a learnable width is read from the weight 'w', so remove Bandwidth or set LearnableWidth = false");

    public static readonly DiagnosticDescriptor HiddenDimWithLearnedQuery = Error(
        "ATTEND025", "HiddenDim has no effect with a learned query",
        "'{0}' sets HiddenDim {1} but Score = LearnedQuery has no hidden layer (score = qᵀh); remove HiddenDim or use Score = Additive");

    public static readonly DiagnosticDescriptor WeightsTooLarge = Error(
        "ATTEND026", "Layer does not fit in one array",
        "{0} on '{1}' needs {2} floats in one array, more than .NET allows; reduce {3}");

    public static readonly DiagnosticDescriptor UnresolvedArgument = Error(
        "ATTEND027", "Attribute argument has no compile-time value",
        "{0} on '{1}' has no value the compiler can evaluate before Attend generates code (a constant of another generated layer, such as its OutputWidth, does not exist yet); write the number itself");

    public static readonly DiagnosticDescriptor HeadTooLarge = Error(
        "ATTEND050", "Head too wide to unroll",
        "{0} {1} on '{2}' exceeds {3}, the widest head Attend unrolls into registers; use more heads of a smaller size{4}");

    public static readonly DiagnosticDescriptor LanguageVersionTooLow = Error(
        "ATTEND051", "C# 11 or newer required",
        "The code Attend generates for '{0}' needs C# 11 or newer (static abstract interface members, scoped parameters), but this project uses C# {1}; remove <LangVersion> from the project or set it to 11 or higher");

    public static readonly DiagnosticDescriptor UnsupportedLayerModifier = Error(
        "ATTEND052", "Layer class cannot be static or file-local",
        "Class '{0}' is declared '{1}'; a layer is instantiated and its forward pass is generated in another file, so remove the '{1}' modifier");

    public static readonly DiagnosticDescriptor ChannelsNotDivisible = Error(
        "ATTEND060", "Channels must split evenly",
        "Channels {0} on '{1}' is not a multiple of {2} ({3}); use a multiple of {2}, e.g. {4}");

    public static readonly DiagnosticDescriptor NoHalfChannels = Error(
        "ATTEND061", "Channels leave no half channels",
        "Channels {0} on '{1}' leaves Channels / 2 = 0 outputs for the value and query convolutions; use at least 2 channels");
    public static readonly DiagnosticDescriptor DanetChannelNeedsSize = Error(
        "ATTEND080", "DANet channel attention of the collection needs Height and Width",
        "'{0}' mirrors the collection's ChannelAttentionModule, whose fc_o is Linear(H·W, H·W); set Height and Width to the feature-map size it was built for, or use Variant = DanetVariant.Official, which works at any size");

    public static readonly DiagnosticDescriptor DanetQueryKeyChannelsVanish = Error(
        "ATTEND081", "Official PAM has no query/key channels",
        "Channels {0} on '{1}' gives the official PAM Channels / 8 = 0 query and key channels; use at least 8 channels, or set QueryKeyChannels");
    public static readonly DiagnosticDescriptor ReductionLeavesNoBottleneck = Error(
        "ATTEND070", "Reduction leaves no bottleneck channels",
        "Reduction {0} on '{1}' leaves Channels / Reduction = {2} / {0} = 0 channels in the {3}; use a Reduction of at most {2}");

    public static readonly DiagnosticDescriptor NoBranches = Error(
        "ATTEND071", "At least one branch is needed",
        "KernelSizes on '{0}' is empty; give each branch's kernel size, e.g. new[] {{ 3, 5 }} (SKNet's) or new[] {{ 1, 3, 5, 7 }} (the module's default)");

    public static readonly DiagnosticDescriptor ChannelsNotDivisibleByGroups = Error(
        "ATTEND072", "Channels must be a multiple of Groups",
        "Channels {0} on '{1}' is not a multiple of Groups {2}; a grouped convolution splits the channels evenly, so use a Groups that divides {0} (e.g. {3})");

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = new[]
    {
        ClassNotPartial, ContainingTypeNotPartial, GenericLayer, NotPositive, ModelDimNotDivisible,
        HeadsNotDivisibleByKvHeads, UnsupportedMask, HugeHead, InvalidScale, InternalError,
        ConflictingAttributes, SizeTooLarge,
        NamingFixesNormPlacement, HeadWidthFixedByTorch, PositionsNeedSize, InvalidRotaryDim,
        InvalidFloatOption, ImageNotDivisibleByPatch, NamingNotAvailable, OptionHasNoEffect,
        ReductionLeavesNoChannels, EvenKernelSize, UndefinedOption, ScoreNeedsEqualSizes, UnusedOption, SizeExceedsLimit,
        NegativeSlopeNotFinite, ShiftRadiusOutOfRange, NotPositiveFinite, BandwidthWithLearnableWidth,
        HiddenDimWithLearnedQuery, WeightsTooLarge, UnresolvedArgument,
        HeadTooLarge, LanguageVersionTooLow, UnsupportedLayerModifier,
        ChannelsNotDivisible, NoHalfChannels,
        DanetChannelNeedsSize, DanetQueryKeyChannelsVanish,
        ReductionLeavesNoBottleneck, NoBranches, ChannelsNotDivisibleByGroups,
    }.ToDictionary(d => d.Id);

    public static IEnumerable<DiagnosticDescriptor> All => s_byId.Values;

    public static DiagnosticDescriptor ById(string id) => s_byId[id];

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());

    private static DiagnosticDescriptor Warning(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());
}
