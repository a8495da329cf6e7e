using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using Attend.CodeFixes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Xunit;

namespace Attend.Generators.Tests.CodeFixes;

/// <summary>Each fix applied to a declaration that has its diagnostic leaves a declaration the generator accepts and that compiles cleanly.</summary>
public sealed class CodeFixTests
{
    [Theory]
    [InlineData("[Attend.MultiHeadAttention(ModelDim = 8, Heads = 2)] public sealed class Layer { }", "public sealed partial class Layer")]
    [InlineData("namespace Demo;\n\n/// <summary>Docs stay put.</summary>\n[Attend.MultiHeadAttention(ModelDim = 8, Heads = 2)]\nclass Layer { }", "[Attend.MultiHeadAttention(ModelDim = 8, Heads = 2)]\npartial class Layer")]
    [InlineData("[Attend.ScaledDotProductAttention(Heads = 2, DimHead = 4)] internal record Layer;", "internal partial record Layer")]
    public async Task ATTEND001_make_the_layer_partial(string source, string expected)
    {
        string fixedText = await FixSingle(source, "ATTEND001", new MakePartialCodeFix(), "Make 'Layer' partial");
        Assert.Contains(expected, fixedText);
    }

    [Fact]
    public async Task ATTEND002_make_each_containing_type_partial()
    {
        const string source = "namespace Demo { public static class Outer { internal class Middle { [Attend.ScaledDotProductAttention(Heads = 2, DimHead = 4)] public partial class Inner { } } } }";
        Document document = CodeFixHarness.Open(source);
        var fix = new MakePartialCodeFix();
        // Two containers are not partial: fix them one at a time, as a user clicking the light bulb twice would.
        for (int round = 0; round < 2; round++)
        {
            (ImmutableArray<Diagnostic> diagnostics, _) = await CodeFixHarness.Generate(document);
            Diagnostic diagnostic = diagnostics.First(d => d.Id == "ATTEND002");
            CodeAction action = Assert.Single(await CodeFixHarness.Actions(fix, document, diagnostic));
            document = await CodeFixHarness.Apply(document, action);
        }

        string text = await CodeFixHarness.Text(document);
        Assert.Contains("public static partial class Outer", text);
        Assert.Contains("internal partial class Middle", text);
        await AssertClean(document);
    }

    [Theory]
    [InlineData(10, 3, "Set ModelDim = 9", "ModelDim = 9, Heads = 3")]
    [InlineData(10, 3, "Set Heads = 2", "ModelDim = 10, Heads = 2")]
    [InlineData(10, 3, "Set DimHead = 3", "ModelDim = 10, Heads = 3, DimHead = 3")]
    [InlineData(500, 7, "Set ModelDim = 497", "ModelDim = 497, Heads = 7")]
    [InlineData(500, 7, "Set Heads = 5", "ModelDim = 500, Heads = 5")]
    [InlineData(768, 7, "Set ModelDim = 770", "ModelDim = 770, Heads = 7")]
    [InlineData(768, 7, "Set Heads = 8", "ModelDim = 768, Heads = 8")]
    public async Task ATTEND005_offers_nearest_model_dim_heads_or_an_explicit_dim_head(int modelDim, int heads, string title, string expected)
    {
        string source = $"namespace Demo; [Attend.MultiHeadAttention(ModelDim = {modelDim}, Heads = {heads})] public partial class Layer {{ }}";
        string fixedText = await FixSingle(source, "ATTEND005", new ModelDimHeadsCodeFix(), title);
        Assert.Contains(expected, fixedText);
    }

    [Fact]
    public async Task ATTEND005_model_dim_fix_matches_the_message()
    {
        Document document = CodeFixHarness.Open("[Attend.MultiHeadAttention(ModelDim = 100, Heads = 12)] public partial class Layer { }");
        (ImmutableArray<Diagnostic> diagnostics, _) = await CodeFixHarness.Generate(document);
        Diagnostic diagnostic = Assert.Single(diagnostics, d => d.Id == "ATTEND005");
        List<CodeAction> actions = await CodeFixHarness.Actions(new ModelDimHeadsCodeFix(), document, diagnostic);
        Assert.Equal(3, actions.Count);
        Assert.Contains("e.g. 96", diagnostic.GetMessage());
        Assert.StartsWith("Set ModelDim = 96", actions[0].Title);
    }

    [Theory]
    // No DimHead property: its heads are always ModelDim / Heads.
    [InlineData("[Attend.TransformerDecoder(ModelDim = 513, Heads = 8, MlpDim = 64, Depth = 1)]", false)]
    // torch.nn naming (the default) fixes the head width at ModelDim / Heads (ATTEND042 otherwise).
    [InlineData("[Attend.TransformerEncoder(ModelDim = 513, Heads = 8, MlpDim = 64, Depth = 1)]", false)]
    [InlineData("[Attend.TransformerEncoder(ModelDim = 513, Heads = 8, MlpDim = 64, Depth = 1, WeightNaming = Attend.TransformerWeightNaming.Vit)]", true)]
    [InlineData("[Attend.MultiHeadAttention(ModelDim = 513, Heads = 8)]", true)]
    public async Task ATTEND005_offers_DimHead_only_where_the_attribute_takes_one_and_every_fix_builds(string attribute, bool offersDimHead)
    {
        Document document = CodeFixHarness.Open($"namespace Demo; {attribute} public partial class Layer {{ }}");
        (ImmutableArray<Diagnostic> diagnostics, _) = await CodeFixHarness.Generate(document);
        Diagnostic diagnostic = Assert.Single(diagnostics, d => d.Id == "ATTEND005");
        List<CodeAction> actions = await CodeFixHarness.Actions(new ModelDimHeadsCodeFix(), document, diagnostic);

        Assert.Equal(offersDimHead, actions.Any(a => a.Title.StartsWith("Set DimHead", System.StringComparison.Ordinal)));
        Assert.StartsWith("Set ModelDim = 512", actions[0].Title);
        foreach (CodeAction action in actions) await AssertClean(await CodeFixHarness.Apply(document, action));
    }

    [Fact]
    public void Every_fixable_id_is_an_Attend_descriptor()
    {
        var ids = Diagnostics.Descriptors.All.Select(d => d.Id).ToHashSet();
        foreach (string id in new MakePartialCodeFix().FixableDiagnosticIds.Concat(new ModelDimHeadsCodeFix().FixableDiagnosticIds))
        {
            Assert.Contains(id, ids);
        }
    }

    private static async Task<string> FixSingle(string source, string id, Microsoft.CodeAnalysis.CodeFixes.CodeFixProvider fix, string title)
    {
        Document document = CodeFixHarness.Open(source);
        (ImmutableArray<Diagnostic> diagnostics, _) = await CodeFixHarness.Generate(document);
        Diagnostic diagnostic = Assert.Single(diagnostics, d => d.Id == id);
        List<CodeAction> actions = await CodeFixHarness.Actions(fix, document, diagnostic);
        CodeAction action = Assert.Single(actions, a => a.Title.StartsWith(title, System.StringComparison.Ordinal));
        Document fixedDocument = await CodeFixHarness.Apply(document, action);
        await AssertClean(fixedDocument);
        return (await CodeFixHarness.Text(fixedDocument)).Replace("\r\n", "\n");
    }

    private static async Task AssertClean(Document document)
    {
        (ImmutableArray<Diagnostic> diagnostics, IReadOnlyList<string> problems) = await CodeFixHarness.Generate(document);
        Assert.Empty(diagnostics);
        Assert.Empty(problems);
    }
}
