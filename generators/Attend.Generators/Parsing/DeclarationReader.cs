using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Attend.Generators.Parsing;

/// <summary>
/// Reads what every layer attribute shares: the class's shape (partial, generic, nesting) and the
/// attribute's named arguments with their locations. Only values leave this type.
/// </summary>
internal sealed class DeclarationReader
{
    public static readonly string[] LayerAttributeNames =
    {
        "Attend.MultiHeadAttentionAttribute",
        "Attend.ScaledDotProductAttentionAttribute",
        "Attend.TransformerEncoderAttribute",
        "Attend.TransformerDecoderAttribute",
        "Attend.VisionTransformerAttribute",
        "Attend.BertModelAttribute",
        "Attend.SqueezeExcitationAttribute",
        "Attend.EfficientChannelAttentionAttribute",
        "Attend.ConvBlockAttentionAttribute",
        "Attend.BottleneckAttentionAttribute",
        "Attend.TripletAttentionAttribute",
        "Attend.SelectiveKernelAttentionAttribute",
        "Attend.AttentionAttribute",
        "Attend.GraphAttentionAttribute",
        "Attend.MemoryHeadsAttribute",
        "Attend.NadarayaWatsonAttribute",
        "Attend.AttentionPoolingAttribute",
        "Attend.SimAmAttribute",
        "Attend.ShuffleAttentionAttribute",
        "Attend.CoordinateAttentionAttribute",
        "Attend.PolarizedSelfAttentionAttribute",
        "Attend.ExternalAttentionAttribute",
        "Attend.SeparableSelfAttentionAttribute",
        "Attend.DanetPositionAttentionAttribute",
        "Attend.DanetChannelAttentionAttribute",
        "Attend.ConvolutionalSelfAttentionAttribute",
    };

    /// <summary>Emitted code implements static abstract interface members and takes <c>scoped</c> parameters (C# 11).</summary>
    public const LanguageVersion MinimumLanguageVersion = LanguageVersion.CSharp11;

    /// <summary>
    /// Widest head the kernels unroll (ATTEND050 above it): 4096 floats is 256 Vector512 loads per key per kernel,
    /// already thousands of emitted lines; wider heads would make the generator and the compiler crawl.
    /// </summary>
    public const int MaxUnrolledHead = 4096;

    private readonly INamedTypeSymbol _type;
    private readonly TypeDeclarationSyntax _syntax;
    private readonly AttributeData _attribute;
    private readonly Dictionary<string, TypedConstant> _arguments;

    public DeclarationReader(GeneratorAttributeSyntaxContext context)
    {
        _type = (INamedTypeSymbol)context.TargetSymbol;
        _syntax = (TypeDeclarationSyntax)context.TargetNode;
        _attribute = context.Attributes[0];
        _arguments = _attribute.NamedArguments.ToDictionary(a => a.Key, a => a.Value);
        AttributeName = _attribute.AttributeClass?.Name.Replace("Attribute", "") ?? "attribute";
    }

    public string AttributeName { get; }

    public string TypeName => _type.Name;

    public List<DiagnosticInfo> Diagnostics { get; } = new();

    /// <summary>The declaration's identity, or null (with diagnostics) when it cannot be extended.</summary>
    public LayerIdentity? ReadIdentity(CancellationToken cancellationToken)
    {
        bool valid = true;
        if (_syntax.SyntaxTree.Options is CSharpParseOptions { LanguageVersion: < MinimumLanguageVersion } options)
        {
            Report(Descriptors.LanguageVersionTooLow, _syntax.Identifier.GetLocation(), _type.Name, options.LanguageVersion.ToDisplayString());
            valid = false;
        }

        foreach (SyntaxToken modifier in _syntax.Modifiers)
        {
            if (!modifier.IsKind(SyntaxKind.StaticKeyword) && !modifier.IsKind(SyntaxKind.FileKeyword)) continue;
            Report(Descriptors.UnsupportedLayerModifier, modifier.GetLocation(), _type.Name, modifier.ValueText);
            valid = false;
        }

        if (!_syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            Report(Descriptors.ClassNotPartial, _syntax.Identifier.GetLocation(), _type.Name, AttributeName);
            valid = false;
        }

        if (_type.IsGenericType)
        {
            Report(Descriptors.GenericLayer, _syntax.Identifier.GetLocation(), _type.Name);
            valid = false;
        }

        foreach (AttributeData other in _type.GetAttributes())
        {
            string? otherName = other.AttributeClass?.ToDisplayString();
            if (otherName is null || !LayerAttributeNames.Contains(otherName)) continue;
            if (SymbolEqualityComparer.Default.Equals(other.AttributeClass, _attribute.AttributeClass)) continue;
            Report(Descriptors.ConflictingAttributes, _syntax.Identifier.GetLocation(), _type.Name, AttributeName, other.AttributeClass!.Name.Replace("Attribute", ""));
            valid = false;
        }

        var containing = new List<TypeDeclarationInfo>();
        for (SyntaxNode? parent = _syntax.Parent; parent is TypeDeclarationSyntax outer; parent = parent.Parent)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!outer.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                Report(Descriptors.ContainingTypeNotPartial, outer.Identifier.GetLocation(), outer.Identifier.ValueText, _type.Name);
                valid = false;
            }

            if (outer.TypeParameterList is { Parameters.Count: > 0 })
            {
                Report(Descriptors.GenericLayer, outer.Identifier.GetLocation(), outer.Identifier.ValueText);
                valid = false;
            }

            containing.Insert(0, Describe(outer));
        }

        if (!valid) return null;

        string ns = _type.ContainingNamespace.IsGlobalNamespace ? "" : _type.ContainingNamespace.ToDisplayString(EscapedNames);
        // The hint is a file name: the '@' that escapes a keyword-named type has no place in it.
        string hint = string.Join(".", new[] { ns }.Concat(containing.Select(c => c.Name)).Append(_type.Name).Where(s => s.Length > 0)).Replace("@", "") + ".g.cs";
        return new LayerIdentity(ns, containing.ToEquatableArray(), Describe(_syntax), hint);
    }

    public int GetInt(string name, int defaultValue = 0) =>
        _arguments.TryGetValue(name, out TypedConstant value) && value.Value is int i ? i : defaultValue;

    public bool GetBool(string name, bool defaultValue) =>
        _arguments.TryGetValue(name, out TypedConstant value) && value.Value is bool b ? b : defaultValue;

    public float GetFloat(string name, float defaultValue = 0f) =>
        _arguments.TryGetValue(name, out TypedConstant value) && value.Value is float f ? f : defaultValue;

    /// <summary>An <c>int[]</c> argument's elements, or <paramref name="defaultValue"/> when it is not set (or null).</summary>
    public int[] GetIntArray(string name, int[] defaultValue) =>
        _arguments.TryGetValue(name, out TypedConstant value) && value.Kind == TypedConstantKind.Array && !value.IsNull
            ? value.Values.Select(v => v.Value is int i ? i : 0).ToArray()
            : defaultValue;

    public bool IsSet(string name) => _arguments.ContainsKey(name);

    /// <summary>
    /// Whether <c>Name = …</c> is written but has no value the compiler could evaluate, e.g. a constant that only
    /// generated code defines (generators see the compilation before any generated source is added).
    /// </summary>
    public bool IsUnresolved(string name)
    {
        if (_arguments.TryGetValue(name, out TypedConstant value)) return value.Kind == TypedConstantKind.Error;
        return _attribute.ApplicationSyntaxReference?.GetSyntax() is AttributeSyntax attribute
            && attribute.ArgumentList?.Arguments.Any(a => a.NameEquals?.Name.Identifier.ValueText == name) == true;
    }

    /// <summary>The <c>Name = value</c> argument's location, else the attribute's, so the squiggle lands on what to fix.</summary>
    public Location ArgumentLocation(string name)
    {
        if (_attribute.ApplicationSyntaxReference?.GetSyntax() is AttributeSyntax attribute)
        {
            AttributeArgumentSyntax? argument = attribute.ArgumentList?.Arguments
                .FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);
            return (argument ?? (SyntaxNode)attribute).GetLocation();
        }

        return _syntax.Identifier.GetLocation();
    }

    public void Report(DiagnosticDescriptor descriptor, Location location, params string[] arguments) =>
        Diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));

    /// <summary>Reports ATTEND050 when a head of <paramref name="width"/> is too wide to unroll, ATTEND008 when it is merely wide; returns whether it can be emitted.</summary>
    /// <param name="property">The property that sets the width (named in the message).</param>
    /// <param name="locationProperty">The argument the squiggle goes on (e.g. ModelDim when DimHead is derived from it).</param>
    public bool CheckHeadWidth(string property, int width, string locationProperty, string hint = "")
    {
        const int WarnAbove = 512;
        string text = width.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (width > MaxUnrolledHead)
        {
            Report(Descriptors.HeadTooLarge, ArgumentLocation(locationProperty), property, text, _type.Name,
                MaxUnrolledHead.ToString(System.Globalization.CultureInfo.InvariantCulture), hint);
            return false;
        }

        if (width > WarnAbove) Report(Descriptors.HugeHead, ArgumentLocation(locationProperty), property, text, _type.Name);
        return true;
    }

    /// <summary>Reports ATTEND004 when <paramref name="value"/> is not positive; returns whether it was.</summary>
    public bool RequirePositive(string property, int value, string hint = "")
    {
        if (value > 0) return true;
        Report(Descriptors.NotPositive, ArgumentLocation(property), property, value.ToString(System.Globalization.CultureInfo.InvariantCulture), _type.Name, hint);
        return false;
    }

    /// <summary>
    /// Reads a size that must be positive (ATTEND004 with <paramref name="hint"/>, which says what the size is), clearing
    /// <paramref name="valid"/> when it is not: the one rule every parser applies to a required size.
    /// </summary>
    public int ReadPositive(string property, string hint, ref bool valid, int defaultValue = 0)
    {
        int value = GetInt(property, defaultValue);
        valid &= RequirePositive(property, value, hint);
        return value;
    }

    /// <summary>Reads a size that may be left out (0, the caller's cue for its default) but must be positive when written.</summary>
    public int ReadOptionalPositive(string property, string hint, ref bool valid)
    {
        int value = GetInt(property);
        if (IsSet(property)) valid &= RequirePositive(property, value, hint);
        return value;
    }

    private static readonly SymbolDisplayFormat EscapedNames = SymbolDisplayFormat.CSharpErrorMessageFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers);

    /// <summary>A type named with a keyword (<c>@event</c>) must keep its '@' when the generated code names it.</summary>
    private static string EscapedName(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    private static TypeDeclarationInfo Describe(TypeDeclarationSyntax declaration)
    {
        string keyword = declaration switch
        {
            RecordDeclarationSyntax record => record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) ? "record struct" : "record",
            StructDeclarationSyntax => "struct",
            InterfaceDeclarationSyntax => "interface",
            _ => "class",
        };
        string accessibility = string.Join(" ", declaration.Modifiers
            .Where(m => m.IsKind(SyntaxKind.PublicKeyword) || m.IsKind(SyntaxKind.InternalKeyword) || m.IsKind(SyntaxKind.PrivateKeyword) || m.IsKind(SyntaxKind.ProtectedKeyword))
            .Select(m => m.ValueText));
        return new TypeDeclarationInfo(keyword, EscapedName(declaration.Identifier.ValueText), accessibility);
    }
}
