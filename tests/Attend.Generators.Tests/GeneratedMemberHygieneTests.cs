using System.Collections.Generic;
using System.Linq;
using Attend.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>
/// How generated code looks to an IDE user: every public or protected member the generator adds carries an XML doc
/// summary and <c>[GeneratedCode]</c>, and a project that documents its public API (CS1591 on, crefs checked) gets no warning
/// from generated files. Checked on every snapshot declaration of every layer kind.
/// </summary>
public sealed class GeneratedMemberHygieneTests
{
    public static TheoryData<string, string> Declarations()
    {
        var data = new TheoryData<string, string>();
        foreach (object[] row in SnapshotTests.Declarations.Concat(FamilySnapshotTests.Declarations).Concat(BlockSnapshotTests.Declarations)) data.Add((string)row[0], (string)row[1]);
        return data;
    }

    [Theory]
    [MemberData(nameof(Declarations))]
    public void Public_generated_members_have_docs_and_GeneratedCode(string name, string declaration)
    {
        // Documentation mode makes the compiler parse doc comments, so CS1591 and GetDocumentationCommentXml work.
        CSharpParseOptions options = GeneratorHarness.ParseOptions.WithDocumentationMode(DocumentationMode.Diagnose);
        CSharpCompilation input = GeneratorHarness.Compile(options, declaration);
        GeneratorHarness.CreateDriver(options).RunGeneratorsAndUpdateCompilation(input, out Compilation output, out _);
        SyntaxTree generated = output.SyntaxTrees.Single(t => !input.SyntaxTrees.Contains(t) && !t.FilePath.EndsWith(".kernels.g.cs", System.StringComparison.Ordinal));

        var problems = new List<string>();
        problems.AddRange(output.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Location.SourceTree == generated) // CS1591, and cref problems such as CS0419
            .Select(d => d.ToString()));

        INamedTypeSymbol layer = output.GetSymbolsWithName(_ => true, SymbolFilter.Type).OfType<INamedTypeSymbol>()
            .Single(t => t.GetAttributes().Any(a => a.AttributeClass?.ContainingNamespace.ToDisplayString() == "Attend"));
        int checkedMembers = 0;
        var pending = new Queue<INamedTypeSymbol>(new[] { layer });
        while (pending.Count > 0)
        {
            foreach (ISymbol member in pending.Dequeue().GetMembers())
            {
                if (member.IsImplicitlyDeclared || member is IMethodSymbol { AssociatedSymbol: not null }) continue;
                if (member.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Protected or Accessibility.ProtectedOrInternal)) continue;
                if (!member.DeclaringSyntaxReferences.Any(r => r.SyntaxTree == generated)) continue;
                if (member is INamedTypeSymbol nested) pending.Enqueue(nested);
                checkedMembers++;
                if (string.IsNullOrWhiteSpace(member.GetDocumentationCommentXml())) problems.Add($"{member.ToDisplayString()} has no XML documentation");
                if (!member.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "System.CodeDom.Compiler.GeneratedCodeAttribute"))
                {
                    problems.Add($"{member.ToDisplayString()} has no [GeneratedCode]");
                }
            }
        }

        Assert.True(checkedMembers > 0, $"{name}: no public generated member found");
        Assert.True(problems.Count == 0, $"{name}:\n" + string.Join("\n", problems));
    }
}
