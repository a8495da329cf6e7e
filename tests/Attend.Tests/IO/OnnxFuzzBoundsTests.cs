using System;
using System.Diagnostics;
using System.IO;
using Attend;
using Attend.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Attend.Tests.IO;

/// <summary>
/// What <see cref="OnnxFuzzTests"/> does not measure: loading a hostile model never takes long, never allocates far
/// beyond the file's own size (no allocation sized by a lying length or dims), and a refusal says what is wrong.
/// Same mutators as the fuzz test, other seeds, fewer cases.
/// </summary>
public sealed class OnnxFuzzBoundsTests(ITestOutputHelper output)
{
    private const int Cases = 3_000;
    private const int Seed = 0x0B0D_0E1A;

    /// <summary>Generous for a shared, loaded CI machine; a hang or quadratic parse takes far longer on these small files.</summary>
    private static readonly TimeSpan SlowestAllowed = TimeSpan.FromSeconds(2);

    [Fact]
    public void Loading_is_bounded_in_time_and_memory_and_refusals_name_the_problem()
    {
        var mutators = OnnxMutators.All;
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
                using OnnxWeightsFile weights = OnnxWeights.Load(input);
            }
            catch (InvalidDataException exception)
            {
                rejected++;
                Assert.StartsWith("Invalid ONNX model (in memory): ", exception.Message);
                Assert.True(exception.Message.Length >= 50, $"case {i} ({mutator.Name}): message too vague to act on: '{exception.Message}'");
            }

            TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            // Typed values decode to at most 8 bytes per varint byte (INT64 from one-byte varints); names and nodes
            // become strings and lists; nothing proportional to a claimed length or a product of dims.
            long budget = 16L * input.Length + (256 << 10);
            Assert.True(allocated <= budget, $"case {i} ({mutator.Name}): loading {input.Length} bytes allocated {allocated} bytes");
            Assert.True(elapsed < SlowestAllowed, $"case {i} ({mutator.Name}): loading took {elapsed.TotalMilliseconds:F0} ms");
            if (allocated > mostAllocated) (mostAllocated, itsSize) = (allocated, input.Length);
            if (elapsed > slowest) slowest = elapsed;
        }

        CiReport.Line(output, $"ONNX load bounds: {Cases} mutated models ({rejected} refused with a message), slowest load {slowest.TotalMilliseconds:F1} ms, " +
                              $"most allocated by one load {mostAllocated / 1024.0:F1} KiB (for a {itsSize / 1024.0:F1} KiB model).");
    }

    public static TheoryData<string> ModelsOfManyTinyFields() => ["unpacked-float-data", "empty-nodes", "unknown-fields"];

    /// <summary>
    /// Fields of a few bytes each, by the hundred thousand: the reader's cost per field (message text, lists) must not
    /// multiply the file's size, which the random mutations above are too small to show.
    /// </summary>
    [Theory]
    [MemberData(nameof(ModelsOfManyTinyFields))]
    public void Many_tiny_fields_allocate_in_proportion_to_the_file(string shape)
    {
        const int Fields = 100_000;
        ProtoMessage graph = new ProtoMessage().String(2, "g");
        switch (shape)
        {
            case "unpacked-float-data":
                graph.Message(5, OnnxTestModels.FloatDataTensor("w", [Fields], new float[Fields], packed: false));
                break;
            case "empty-nodes":
                for (int i = 0; i < Fields; i++) graph.Message(1, new ProtoMessage());
                break;
            default:
                for (int i = 0; i < Fields; i++) graph.Varint(1000, i);
                break;
        }
        byte[] model = OnnxTestModels.Model(graph).ToBytes();

        long before = GC.GetAllocatedBytesForCurrentThread();
        using (OnnxWeightsFile weights = OnnxWeights.Load(model))
            Assert.Equal(shape == "unpacked-float-data" ? 1 : 0, weights.Tensors.Count);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= model.Length + (256 << 10), $"{shape}: loading {model.Length} bytes allocated {allocated} bytes");
    }
}
