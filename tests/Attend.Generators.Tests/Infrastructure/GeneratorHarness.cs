using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Attend.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Attend.Generators.Tests.Infrastructure;

/// <summary>Runs <see cref="AttentionGenerator"/> over source text the way the compiler does, with step tracking on.</summary>
internal static class GeneratorHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(() =>
    {
        string trusted = (string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!;
        var references = trusted.Split(Path.PathSeparator)
            .Where(path => Path.GetFileName(path).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(path) is "mscorlib.dll" or "netstandard.dll")
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToList();
        references.Add(MetadataReference.CreateFromFile(typeof(MultiHeadAttentionAttribute).Assembly.Location));
        return references.ToImmutableArray();
    });

    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.CSharp13);

    /// <summary>The framework and Attend.dll, as every test compilation references them.</summary>
    public static ImmutableArray<MetadataReference> References => s_references.Value;

    public static CSharpCompilation Compile(params string[] sources) => Compile(ParseOptions, sources);

    public static CSharpCompilation Compile(CSharpParseOptions options, params string[] sources) =>
        CSharpCompilation.Create(
            "Attend.GeneratorTests.Input",
            sources.Select((source, index) => CSharpSyntaxTree.ParseText(source, options, path: $"Input{index}.cs")),
            s_references.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));

    /// <summary>A compilation of named files (path, text), so diagnostics can be traced back to the file that caused them.</summary>
    public static CSharpCompilation CompileFiles(CSharpParseOptions options, IEnumerable<(string Path, string Source)> files) =>
        CSharpCompilation.Create(
            "Attend.GeneratorTests.Input",
            files.Select(file => CSharpSyntaxTree.ParseText(file.Source, options, path: file.Path)),
            s_references.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));

    public static GeneratorDriver CreateDriver(CSharpParseOptions? options = null) =>
        CSharpGeneratorDriver.Create(
            new[] { new AttentionGenerator().AsSourceGenerator() },
            parseOptions: options ?? ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator once and returns its result and the compilation with the generated sources added.</summary>
    public static (GeneratorRunResult Result, Compilation Output) Run(params string[] sources)
    {
        CSharpCompilation input = Compile(sources);
        GeneratorDriver driver = CreateDriver().RunGeneratorsAndUpdateCompilation(input, out Compilation output, out _);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        return (result, output);
    }

    /// <summary>The generated files of the declared layers, without the head kernel structs shared by shape.</summary>
    public static IReadOnlyList<GeneratedSourceResult> LayerSources(GeneratorRunResult result) =>
        result.GeneratedSources.Where(s => !IsSharedKernel(s.HintName)).ToList();

    /// <summary>The shared head kernel files (<c>Attend.Generated.HeadKernels_D…_Dv….kernels.g.cs</c>), one per head shape.</summary>
    public static IReadOnlyList<GeneratedSourceResult> KernelSources(GeneratorRunResult result) =>
        result.GeneratedSources.Where(s => IsSharedKernel(s.HintName)).ToList();

    /// <summary>The compilation's syntax trees less the shared head kernel files: the declarations and one file per layer.</summary>
    public static int LayerTreeCount(Compilation compilation) => compilation.SyntaxTrees.Count(t => !IsSharedKernel(t.FilePath));

    private static bool IsSharedKernel(string name) => name.EndsWith(".kernels.g.cs", System.StringComparison.Ordinal);

    /// <summary>Every error and warning of the compilation (input and generated code together), as text.</summary>
    public static IReadOnlyList<string> ProblemsIn(Compilation compilation) =>
        compilation.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Select(d => d.ToString())
            .ToList();
}
