using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using Attend.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Attend.Tests.IO;

/// <summary>
/// Mutation fuzzing of the ONNX weight reader: every input must either load (and then read back completely) or be
/// refused with <see cref="System.IO.InvalidDataException"/>. Seeded and deterministic: case <c>i</c> always builds the
/// same bytes, so a failure names the case to replay (and prints small inputs as base64).
/// </summary>
/// <remarks>
/// <c>ATTEND_FUZZ_CASES</c> sets the case count (default <see cref="DefaultCases"/>);
/// <c>ATTEND_FUZZ_SEED</c> explores a different deterministic sequence.
/// </remarks>
public sealed class OnnxFuzzTests(ITestOutputHelper output)
{
    private const int DefaultCases = 20_000;
    private const int DefaultSeed = 0x0_0E1A_0E1A;

    /// <summary>One case in this many goes through the memory-mapped <c>Open</c> path (it costs a temporary file).</summary>
    private const int MappedEvery = 97;

    [Fact]
    public void MutatedModels_EitherLoadCompletelyOrThrowInvalidDataException()
    {
        int cases = EnvironmentInt("ATTEND_FUZZ_CASES", DefaultCases);
        int seed = EnvironmentInt("ATTEND_FUZZ_SEED", DefaultSeed);
        IReadOnlyList<FuzzMutator> mutators = OnnxMutators.All;
        var loaded = new int[mutators.Count];
        var rejected = new int[mutators.Count];
        var ticks = new long[mutators.Count];
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();

        for (int caseIndex = 0; caseIndex < cases; caseIndex++)
        {
            int m = caseIndex % mutators.Count;
            FuzzMutator mutator = mutators[m];
            int caseSeed = CaseSeed(seed, caseIndex);
            long started = Stopwatch.GetTimestamp();
            byte[] input = mutator.Produce(new Random(caseSeed));
            FuzzOutcome outcome = OnnxFuzzHarness.Exercise(input, viaFile: caseIndex % MappedEvery == 0);
            ticks[m] += Stopwatch.GetTimestamp() - started;

            if (outcome.Loaded) loaded[m]++; else rejected[m]++;
            string? problem = outcome.Bug is not null
                ? $"{(outcome.Loaded ? "reading a loaded model" : "loading")} threw {outcome.Bug.GetType().Name}: {outcome.Bug.Message}"
                : mutator.Expectation == FuzzExpectation.Load && !outcome.Loaded ? "a valid input was refused"
                : mutator.Expectation == FuzzExpectation.Reject && outcome.Loaded ? "an invalid input was accepted"
                : null;
            if (problem is null) continue;
            string bytes = input.Length <= 2048 ? Convert.ToBase64String(input) : $"{input.Length} bytes";
            failures.Add($"case {caseIndex} (ATTEND_FUZZ_SEED={seed}, case seed 0x{caseSeed:x8}, mutator {mutator.Name}): {problem}; input {bytes}");
        }

        clock.Stop();
        CiReport.Line(output, $"ONNX fuzz: {cases} mutated models in {clock.Elapsed.TotalSeconds:F2} s (seed {seed}, {mutators.Count} mutators): " +
                              $"{loaded.Sum()} loaded, {rejected.Sum()} refused with InvalidDataException, {failures.Count} failures.");
        for (int m = 0; m < mutators.Count; m++)
            output.WriteLine($"  {mutators[m].Name,-22} loaded {loaded[m],6}  rejected {rejected[m],6}  {Stopwatch.GetElapsedTime(0, ticks[m]).TotalMilliseconds,8:F0} ms");

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures.Take(20)));
        // The mutators must reach the validator: each one that may fail the input does so at least once.
        if (cases >= 20 * mutators.Count)
        {
            for (int m = 0; m < mutators.Count; m++)
                if (mutators[m].Expectation != FuzzExpectation.Load)
                    Assert.True(rejected[m] > 0, $"mutator {mutators[m].Name} never produced an invalid model");
            Assert.True(loaded.Sum() > cases / 10, "almost nothing loaded: the generator or the reader is too strict");
        }
    }

    [Fact]
    public void CaseInputs_AreDeterministic()
    {
        foreach (FuzzMutator mutator in OnnxMutators.All)
        {
            byte[] first = mutator.Produce(new Random(CaseSeed(DefaultSeed, 11)));
            byte[] second = mutator.Produce(new Random(CaseSeed(DefaultSeed, 11)));
            Assert.True(first.AsSpan().SequenceEqual(second), $"mutator {mutator.Name} is not deterministic");
        }
    }

    /// <summary>SplitMix-style mix, so neighbouring cases get unrelated seeds.</summary>
    private static int CaseSeed(int seed, int caseIndex)
    {
        ulong z = unchecked((ulong)(uint)seed << 32 | (uint)caseIndex) + 0x9E3779B97F4A7C15UL;
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return unchecked((int)(z ^ (z >> 31)));
    }

    private static int EnvironmentInt(string variable, int fallback)
    {
        string? text = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= 0
            ? value
            : throw new ArgumentException($"{variable}='{text}' is not a non-negative integer.");
    }
}
