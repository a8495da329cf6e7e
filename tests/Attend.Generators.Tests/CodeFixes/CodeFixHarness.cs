using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Attend.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace Attend.Generators.Tests.CodeFixes;

/// <summary>
/// Runs a code fix the way the IDE does, on an <see cref="AdhocWorkspace"/>: the generator reports its diagnostics on
/// the document, the fixer registers actions for one, and applying an action yields the changed document.
/// </summary>
internal static class CodeFixHarness
{
    public static Document Open(string source)
    {
        var workspace = new AdhocWorkspace();
        ProjectInfo project = ProjectInfo.Create(ProjectId.CreateNewId(), VersionStamp.Create(), "Fixes", "Fixes", LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true),
            parseOptions: GeneratorHarness.ParseOptions,
            metadataReferences: GeneratorHarness.References);
        Solution solution = workspace.CurrentSolution.AddProject(project);
        DocumentId id = DocumentId.CreateNewId(project.Id);
        solution = solution.AddDocument(id, "Layer.cs", SourceText.From(source), filePath: "/src/Layer.cs");
        return solution.GetDocument(id)!;
    }

    /// <summary>The generator's diagnostics for the document's project, and whether the generated code compiles cleanly.</summary>
    public static async Task<(ImmutableArray<Diagnostic> Generator, IReadOnlyList<string> CompileProblems)> Generate(Document document)
    {
        Compilation compilation = (await document.Project.GetCompilationAsync())!;
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out _);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        return (driver.GetRunResult().Diagnostics, GeneratorHarness.ProblemsIn(output));
    }

    public static async Task<List<CodeAction>> Actions(CodeFixProvider fix, Document document, Diagnostic diagnostic)
    {
        var actions = new List<CodeAction>();
        await fix.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None));
        return actions;
    }

    public static async Task<Document> Apply(Document document, CodeAction action)
    {
        ImmutableArray<CodeActionOperation> operations = await action.GetOperationsAsync(CancellationToken.None);
        Solution changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
        return changed.GetDocument(document.Id)!;
    }

    public static async Task<string> Text(Document document) => (await document.GetTextAsync()).ToString();
}
