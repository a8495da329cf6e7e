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
/// the nearest Heads that divides ModelDim, and an explicit DimHead that keeps ModelDim and Heads as written.
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

    private static AttributeArgumentSyntax? Argument(AttributeSyntax attribute, string name) =>
        attribute.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
