using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Attend.Generators.Tests.Infrastructure;
using Attend.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using Xunit.Abstractions;

namespace Attend.Generators.Tests.Fuzz;

/// <summary>
/// Compiles edge-case and random declarations through the generator and holds each to its oracle verdict: no
/// generator exception anywhere; an invalid declaration gets an ATTEND error naming what to fix and generates
/// nothing; a valid one generates one file and the whole compilation has no error or warning.
/// </summary>
/// <remarks>
/// Cases are compiled in batches (one compilation per language version and batch) and every diagnostic is traced
/// back to its case through the file or type name, which carries the case index. <c>ATTEND_DECLARATION_FUZZ_CASES</c>
/// sets the number of random cases (default <see cref="DefaultRandomCases"/>), <c>ATTEND_DECLARATION_FUZZ_SEED</c> the seed.
/// </remarks>
public sealed partial class DeclarationFuzzTests(ITestOutputHelper output)
{
    private const int DefaultRandomCases = 250; // ~2 ms of CPU per generated line to compile; ATTEND_DECLARATION_FUZZ_CASES for more
    private const int DefaultSeed = 0x0A77E4D;
    private const int BatchSize = 80;

    private static long s_generatorTicks;
    private static long s_compileTicks;

    [Fact]
    public void Every_declaration_compiles_cleanly_or_gets_an_ATTEND_diagnostic_naming_the_problem()
    {
        int randomCases = EnvironmentInt("ATTEND_DECLARATION_FUZZ_CASES", DefaultRandomCases);
        int seed = EnvironmentInt("ATTEND_DECLARATION_FUZZ_SEED", DefaultSeed);
        var cases = DeclarationCases.Edges(0).ToList();
        int edges = cases.Count;
        for (int i = 0; i < randomCases; i++) cases.Add(DeclarationCases.Random(cases.Count, new Random(seed + i)));

        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        int generatedFiles = 0;
        foreach (IGrouping<LanguageVersion, DeclarationCase> group in cases.GroupBy(c => c.Language))
        {
            foreach (DeclarationCase[] batch in group.Chunk(BatchSize))
            {
                generatedFiles += CheckBatch(group.Key, batch, failures);
            }
        }

        clock.Stop();
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        int valid = cases.Count(c => c.Verdict == Verdict.Valid);
        int invalid = cases.Count(c => c.Verdict == Verdict.Invalid);
        int rejected = cases.Count(c => c.Verdict == Verdict.CompilerRejects);
        string languages = string.Join(", ", cases.GroupBy(c => c.Language).OrderBy(g => g.Key)
            .Select(g => $"C# {LanguageVersionFacts.ToDisplayString(g.Key)}: {g.Count()}"));
        CiReport.Line(output, $"Declaration fuzz: {cases.Count} declarations compiled ({edges} edge cases + {randomCases} random, seed {seed}) in {clock.Elapsed.TotalSeconds:F1} s ({cpu.TotalSeconds:F1} s CPU): " +
                              $"{valid} valid ({generatedFiles} generated files, zero warnings), {invalid} invalid with an ATTEND error naming the problem, " +
                              $"{rejected} rejected by the compiler itself; {failures.Count} failures.");
        output.WriteLine($"  by language version: {languages}");
        output.WriteLine($"  generator {Stopwatch.GetElapsedTime(0, s_generatorTicks).TotalSeconds:F1} s, compiling {Stopwatch.GetElapsedTime(0, s_compileTicks).TotalSeconds:F1} s");

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(40)));
        Assert.True(valid > cases.Count / 5, $"only {valid} of {cases.Count} declarations were valid: the random ones are too hostile to test emission");
        Assert.True(invalid > cases.Count / 5, $"only {invalid} of {cases.Count} declarations were invalid: the random ones are too tame");
    }

    [Fact]
    public void Case_generation_is_deterministic()
    {
        DeclarationCase first = DeclarationCases.Random(5, new Random(DefaultSeed + 5));
        DeclarationCase second = DeclarationCases.Random(5, new Random(DefaultSeed + 5));
        Assert.Equal(first.Sources, second.Sources);
        Assert.Equal(first.Verdict, second.Verdict);
    }

    /// <returns>How many files the generator emitted for the batch.</returns>
    private static int CheckBatch(LanguageVersion language, DeclarationCase[] batch, List<string> failures)
    {
        var parseOptions = new CSharpParseOptions(language);
        CSharpCompilation input = GeneratorHarness.CompileFiles(parseOptions,
            batch.SelectMany(c => c.Sources.Select((source, part) => (c.FilePath(part), source))));
        long started = Stopwatch.GetTimestamp();
        GeneratorDriver driver = GeneratorHarness.CreateDriver(parseOptions)
            .RunGeneratorsAndUpdateCompilation(input, out Compilation compiled, out var driverDiagnostics);
        s_generatorTicks += Stopwatch.GetTimestamp() - started;
        GeneratorRunResult result = driver.GetRunResult().Results.Single();

        string batchName = $"batch of cases {batch[0].Index}..{batch[^1].Index} (C# {LanguageVersionFacts.ToDisplayString(language)})";
        if (result.Exception is not null) failures.Add($"{batchName}: the generator threw {result.Exception}");
        // CS8784/CS8785: the generator failed to initialize or threw while generating.
        foreach (Diagnostic d in driverDiagnostics.Where(d => d.Id is "CS8784" or "CS8785"))
        {
            failures.Add($"{batchName}: the driver reported {d}");
        }

        var attend = Lookup(result.Diagnostics, d => d.Location.GetLineSpan().Path, batchName, failures);
        started = Stopwatch.GetTimestamp();
        var problems = Lookup(compiled.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning),
            d => d.Location.SourceTree?.FilePath ?? "", batchName, failures);
        s_compileTicks += Stopwatch.GetTimestamp() - started;
        if (Environment.GetEnvironmentVariable("ATTEND_FUZZ_TIMING") == "1")
        {
            Console.Error.WriteLine($"{batchName}: compile {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s; lines generated {result.GeneratedSources.Sum(g => g.SourceText.Lines.Count)}");
        }
        // The shared head kernel files belong to every case of their shape, so to none: a problem in one still fails below.
        ILookup<int, string> generated = GeneratorHarness.LayerSources(result).ToLookup(s => CaseIndexOf(s.HintName) ?? -1, s => s.HintName);
        foreach (string orphan in generated[-1]) failures.Add($"{batchName}: generated {orphan}, which belongs to no case");

        foreach (DeclarationCase c in batch)
        {
            string? failure = Judge(c, attend[c.Index].ToList(), problems[c.Index].ToList(), generated[c.Index].Count());
            if (failure is not null)
            {
                failures.Add($"case {c.Index} ({c.Verdict}: {c.Description}): {failure}\n    {string.Join("\n    ", c.Sources.Select(s => s.Replace("\n", "\n    ")))}");
            }
        }

        return result.GeneratedSources.Length;
    }

    private static string? Judge(DeclarationCase c, List<Diagnostic> attend, List<Diagnostic> problems, int generatedFiles)
    {
        if (attend.Any(d => d.Id == "ATTEND010")) return "internal error: " + string.Join("; ", attend.Select(d => d.ToString()));
        switch (c.Verdict)
        {
            case Verdict.Valid:
                List<Diagnostic> unexpected = attend.Where(d => !(c.ExpectHugeHeadWarning && d.Id == "ATTEND008")).ToList();
                if (unexpected.Count > 0) return "unexpected generator diagnostics: " + string.Join("; ", unexpected.Select(d => d.ToString()));
                if (c.ExpectHugeHeadWarning && !attend.Any(d => d.Id == "ATTEND008")) return "expected the ATTEND008 warning for a head over 512";
                if (generatedFiles != 1) return $"expected one generated file, got {generatedFiles}";
                if (problems.Count > 0) return "the compilation has problems: " + string.Join("; ", problems.Take(5).Select(d => d.ToString()));
                return null;

            case Verdict.Invalid:
                List<Diagnostic> errors = attend.Where(d => d.Severity == DiagnosticSeverity.Error && d.Id.StartsWith("ATTEND", StringComparison.Ordinal)).ToList();
                if (errors.Count == 0) return "no ATTEND error" + (attend.Count > 0 ? "; got " + string.Join("; ", attend.Select(d => d.ToString())) : "");
                foreach (string word in c.Named)
                {
                    if (!errors.Any(d => (d.Id + " " + d.GetMessage(CultureInfo.InvariantCulture)).Contains(word, StringComparison.Ordinal)))
                    {
                        return $"no ATTEND error names '{word}'; got {string.Join("; ", errors.Select(d => d.ToString()))}";
                    }
                }

                if (generatedFiles != 0) return $"an invalid declaration generated {generatedFiles} file(s)";
                if (problems.Count > 0) return "the user's (valid C#) code has compile problems: " + string.Join("; ", problems.Take(5).Select(d => d.ToString()));
                return null;

            default:
                return problems.Any(d => d.Id == c.CompilerError) ? null
                    : $"expected compiler error {c.CompilerError}; got {string.Join("; ", problems.Select(d => d.ToString()))}";
        }
    }

    /// <summary>Groups diagnostics by the case their file belongs to; a diagnostic outside every case is a failure.</summary>
    private static ILookup<int, Diagnostic> Lookup(IEnumerable<Diagnostic> diagnostics, Func<Diagnostic, string> path, string batchName, List<string> failures)
    {
        var pairs = new List<(int, Diagnostic)>();
        foreach (Diagnostic d in diagnostics)
        {
            int? index = CaseIndexOf(path(d));
            if (index is null) failures.Add($"{batchName}: a diagnostic belongs to no case: {d}");
            else pairs.Add((index.Value, d));
        }

        return pairs.ToLookup(p => p.Item1, p => p.Item2);
    }

    /// <summary>The case index in an input path (<c>Case12_0.cs</c>) or a generated hint name (<c>Fuzz.Layers.O12_0.L12_Layer.g.cs</c>).</summary>
    private static int? CaseIndexOf(string path)
    {
        Match match = CaseName().Match(path);
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    [GeneratedRegex(@"(?:Case|(?:^|[/\\.])[LO])(\d+)_")]
    private static partial Regex CaseName();

    private static int EnvironmentInt(string variable, int fallback)
    {
        string? text = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= 0
            ? value
            : throw new ArgumentException($"{variable}='{text}' is not a non-negative integer.");
    }
}
