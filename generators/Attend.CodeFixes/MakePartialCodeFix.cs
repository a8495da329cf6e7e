using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace Attend.CodeFixes;

/// <summary>
/// ATTEND001 (layer class not partial) and ATTEND002 (a containing type not partial): adds the <c>partial</c>
/// modifier to the type the diagnostic points at, keeping its other modifiers and trivia.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakePartialCodeFix)), Shared]
public sealed class MakePartialCodeFix : CodeFixProvider
{
    public const string ClassNotPartial = "ATTEND001";
    public const string ContainingTypeNotPartial = "ATTEND002";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(ClassNotPartial, ContainingTypeNotPartial);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null) return;
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            // The diagnostic sits on the type's identifier.
            TypeDeclarationSyntax? type = root.FindToken(diagnostic.Location.SourceSpan.Start).Parent?.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().FirstOrDefault();
            if (type is null || type.Identifier.Span != diagnostic.Location.SourceSpan) continue;
            string title = $"Make '{type.Identifier.ValueText}' partial";
            context.RegisterCodeFix(
                CodeAction.Create(title, token => MakePartialAsync(context.Document, type, token), equivalenceKey: nameof(MakePartialCodeFix)),
                diagnostic);
        }
    }

    private static async Task<Document> MakePartialAsync(Document document, TypeDeclarationSyntax type, CancellationToken cancellationToken)
    {
        DocumentEditor editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        editor.SetModifiers(type, editor.Generator.GetModifiers(type).WithPartial(true));
        return editor.GetChangedDocument();
    }
}
