using System;
using System.Diagnostics;
using System.IO;
using Attend;
using Attend.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Attend.Tests.IO;

/// <summary>
/// The bounds the main fuzz test does not measure: loading a hostile file never takes long (no hang), never allocates
/// far beyond the file's own size (no memory blow-up from a lying header), and a refusal says what is wrong.
/// Same mutators and seeds as <see cref="SafeTensorsFuzzTests"/>, fewer cases.
/// </summary>
public sealed class SafeTensorsFuzzBoundsTests(ITestOutputHelper output)
{
    private const int Cases = 3_000;
    private const int Seed = 0x0B0D_5AFE;

    /// <summary>Generous for a shared, loaded CI machine; a real hang or quadratic parse takes far longer on these small files.</summary>
    private static readonly TimeSpan SlowestAllowed = TimeSpan.FromSeconds(2);

    [Fact]
    public void Loading_is_bounded_in_time_and_memory_and_refusals_name_the_problem()
    {
        var mutators = SafeTensorsMutators.All;
        long mostAllocated = 0, itsSize = 0;
        TimeSpan slowest = TimeSpan.Zero;
        int rejected = 0;
        for (int i = 0; i < Cases; i++)
        {
            FuzzMutator mutator = mutators[i % mutators.Count];
            byte[] input = mutator.Produce(new Random(Seed + i));
            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            long started = Stopwatch.GetTimestamp();
            try
            {
                using SafeTensorsFile file = SafeTensors.Load(input);
            }
            catch (InvalidDataException exception)
            {
                rejected++;
                Assert.False(string.IsNullOrWhiteSpace(exception.Message), $"case {i} ({mutator.Name}): empty message");
                Assert.True(exception.Message.Length >= 20, $"case {i} ({mutator.Name}): message too vague to act on: '{exception.Message}'");
            }

            TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            // The file's bytes may be copied once or twice and the header parsed into objects; nothing proportional to a claimed size.
            long budget = 8L * input.Length + (256 << 10);
            Assert.True(allocated <= budget, $"case {i} ({mutator.Name}): loading {input.Length} bytes allocated {allocated} bytes");
            Assert.True(elapsed < SlowestAllowed, $"case {i} ({mutator.Name}): loading took {elapsed.TotalMilliseconds:F0} ms");
            if (allocated > mostAllocated) (mostAllocated, itsSize) = (allocated, input.Length);
            if (elapsed > slowest) slowest = elapsed;
        }

        CiReport.Line(output, $"Safetensors load bounds: {Cases} mutated files ({rejected} refused with a message), slowest load {slowest.TotalMilliseconds:F1} ms, " +
                              $"most allocated by one load {mostAllocated / 1024.0:F1} KiB (for a {itsSize / 1024.0:F1} KiB file).");
    }
}
