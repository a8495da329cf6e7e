using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

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

    public static readonly DiagnosticDescriptor HeadTooLarge = Error(
        "ATTEND050", "Head too wide to unroll",
        "{0} {1} on '{2}' exceeds {3}, the widest head Attend unrolls into registers; use more heads of a smaller size{4}");

    public static readonly DiagnosticDescriptor LanguageVersionTooLow = Error(
        "ATTEND051", "C# 11 or newer required",
        "The code Attend generates for '{0}' needs C# 11 or newer (static abstract interface members, scoped parameters), but this project uses C# {1}; remove <LangVersion> from the project or set it to 11 or higher");

    public static readonly DiagnosticDescriptor UnsupportedLayerModifier = Error(
        "ATTEND052", "Layer class cannot be static or file-local",
        "Class '{0}' is declared '{1}'; a layer is instantiated and its forward pass is generated in another file, so remove the '{1}' modifier");

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = new[]
    {
        ClassNotPartial, ContainingTypeNotPartial, GenericLayer, NotPositive, ModelDimNotDivisible,
        HeadsNotDivisibleByKvHeads, UnsupportedMask, HugeHead, InvalidScale, InternalError,
        ConflictingAttributes, SizeTooLarge,
        HeadTooLarge, LanguageVersionTooLow, UnsupportedLayerModifier,
    }.ToDictionary(d => d.Id);

    public static IEnumerable<DiagnosticDescriptor> All => s_byId.Values;

    public static DiagnosticDescriptor ById(string id) => s_byId[id];

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());

    private static DiagnosticDescriptor Warning(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpBase + id.ToLowerInvariant());
}
