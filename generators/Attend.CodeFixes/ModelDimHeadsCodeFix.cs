using System;
using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Attend.Generators.Planning;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Attend.CodeFixes;

/// <summary>
/// ATTEND005 (ModelDim not a multiple of Heads): offers the nearest ModelDim that is (the one the message names),
/// the nearest Heads that divides ModelDim, and, where the attribute has a DimHead, an explicit one that keeps ModelDim
/// and Heads as written.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ModelDimHeadsCodeFix)), Shared]
public sealed class ModelDimHeadsCodeFix : CodeFixProvider
{
    public const string ModelDimNotDivisible = "ATTEND005";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(ModelDimNotDivisible);

    // Each declaration has its own numbers, so a batch fix has nothing to share; one at a time.
    public override FixAllProvider? GetFixAllProvider() => null;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        SemanticModel? model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null) return;

        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            AttributeSyntax? attribute = root.FindNode(diagnostic.Location.SourceSpan).AncestorsAndSelf().OfType<AttributeSyntax>().FirstOrDefault();
            if (attribute?.ArgumentList is null) continue;
            AttributeArgumentSyntax? modelDimArgument = Argument(attribute, "ModelDim");
            AttributeArgumentSyntax? headsArgument = Argument(attribute, "Heads");
            if (modelDimArgument is null || headsArgument is null) continue;
            if (model.GetConstantValue(modelDimArgument.Expression, context.CancellationToken).Value is not int modelDim
                || model.GetConstantValue(headsArgument.Expression, context.CancellationToken).Value is not int heads
                || modelDim <= 0 || heads <= 0 || modelDim % heads == 0)
            {
                continue;
            }

            int nearestModelDim = ModelDimSuggestion.Nearest(modelDim, heads);
            Register(context, diagnostic, $"Set ModelDim = {Text(nearestModelDim)} (a multiple of Heads {Text(heads)})",
                attribute, modelDimArgument, nearestModelDim, "SetModelDim");

            int nearestHeads = NearestDivisor(modelDim, heads);
            Register(context, diagnostic, $"Set Heads = {Text(nearestHeads)} (divides ModelDim {Text(modelDim)})",
                attribute, headsArgument, nearestHeads, "SetHeads");

            // [TransformerDecoder] and [BertModel] have no DimHead (their heads are always ModelDim / Heads): adding one would
            // not compile. Nor does torch.nn's encoder layer (TorchEncoder naming, the default): ATTEND042 would follow.
            if (!HasSettableProperty(model.GetTypeInfo(attribute, context.CancellationToken).Type, "DimHead")) continue;
            if (UsesTorchEncoderNaming(model, attribute, context.CancellationToken)) continue;
            int dimHead = Math.Max(1, (int)Math.Round((double)modelDim / heads, MidpointRounding.AwayFromZero));
            context.RegisterCodeFix(
                CodeAction.Create($"Set DimHead = {Text(dimHead)} (keeps ModelDim and Heads; the inner width becomes {Text(dimHead * heads)})",
                    token => AddDimHeadAsync(context.Document, attribute, dimHead, token), equivalenceKey: "SetDimHead"),
                diagnostic);
        }
    }

    /// <summary>The divisor of <paramref name="modelDim"/> closest to <paramref name="heads"/>, the larger on a tie.</summary>
    public static int NearestDivisor(int modelDim, int heads)
    {
        // Bounded: a declaration with millions of heads gets 1 rather than a long freeze in the editor.
        long limit = Math.Min(Math.Min(modelDim, 2L * heads), 1 << 20);
        int best = 1;
        for (int candidate = 1; candidate <= limit; candidate++)
        {
            if (modelDim % candidate != 0) continue;
            if (Math.Abs(candidate - heads) <= Math.Abs(best - heads)) best = candidate;
        }

        return best;
    }

    private static void Register(CodeFixContext context, Diagnostic diagnostic, string title, AttributeSyntax attribute,
        AttributeArgumentSyntax argument, int value, string key) =>
        context.RegisterCodeFix(
            CodeAction.Create(title, token => ReplaceValueAsync(context.Document, argument, value, token), equivalenceKey: key),
            diagnostic);

    private static async Task<Document> ReplaceValueAsync(Document document, AttributeArgumentSyntax argument, int value, CancellationToken cancellationToken)
    {
        SyntaxNode root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
        ExpressionSyntax literal = SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(value))
            .WithTriviaFrom(argument.Expression);
        return document.WithSyntaxRoot(root.ReplaceNode(argument.Expression, literal));
    }

    private static async Task<Document> AddDimHeadAsync(Document document, AttributeSyntax attribute, int dimHead, CancellationToken cancellationToken)
    {
        SyntaxNode root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
        AttributeArgumentSyntax added = SyntaxFactory.AttributeArgument(
            SyntaxFactory.NameEquals(SyntaxFactory.IdentifierName("DimHead")),
            nameColon: null,
            SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(dimHead)));
        AttributeArgumentListSyntax arguments = attribute.ArgumentList!;
        AttributeArgumentSyntax? existing = Argument(attribute, "DimHead");
        AttributeArgumentListSyntax updated = existing is null
            ? arguments.AddArguments(added)
            : arguments.ReplaceNode(existing, added.WithTriviaFrom(existing));
        return document.WithSyntaxRoot(root.ReplaceNode(arguments, updated));
    }

    /// <summary>Whether the attribute (or a base of it) declares a public settable property <paramref name="name"/>.</summary>
    private static bool HasSettableProperty(ITypeSymbol? attributeType, string name)
    {
        for (ITypeSymbol? type = attributeType; type is not null; type = type.BaseType)
        {
            if (type.GetMembers(name).OfType<IPropertySymbol>().Any(p => p.SetMethod is { DeclaredAccessibility: Accessibility.Public })) return true;
        }

        return false;
    }

    /// <summary>
    /// Whether the layer loads torch.nn encoder weights (TransformerWeightNaming.TorchEncoder = 0, [TransformerEncoder]'s
    /// default), whose head width is fixed at ModelDim / Heads.
    /// </summary>
    private static bool UsesTorchEncoderNaming(SemanticModel model, AttributeSyntax attribute, CancellationToken cancellationToken)
    {
        ITypeSymbol? attributeType = model.GetTypeInfo(attribute, cancellationToken).Type;
        if (!HasSettableProperty(attributeType, "WeightNaming")) return false;
        AttributeArgumentSyntax? naming = Argument(attribute, "WeightNaming");
        return naming is null
            ? attributeType?.Name == "TransformerEncoderAttribute"
            : model.GetConstantValue(naming.Expression, cancellationToken).Value is 0;
    }

    private static AttributeArgumentSyntax? Argument(AttributeSyntax attribute, string name) =>
        attribute.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
