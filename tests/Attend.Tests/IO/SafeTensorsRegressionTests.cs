using System;
using System.IO;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace Attend.Tests.IO;

/// <summary>Replays every input the fuzzer ever caught (TestData/safetensors-regressions).</summary>
public sealed class SafeTensorsRegressionTests(ITestOutputHelper output)
{
    [Fact]
    public void EverySavedRegressionInput_LoadsOrThrowsInvalidDataException()
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "TestData", SafeTensorsFuzzHarness.RegressionFolder);
        Assert.True(File.Exists(Path.Combine(folder, "README.md")), $"{folder} should exist with its README");

        string[] inputs = Directory.GetFiles(folder, "*.safetensors").Order(StringComparer.Ordinal).ToArray();
        foreach (string path in inputs)
        {
            byte[] bytes = File.ReadAllBytes(path);
            foreach (bool viaFile in new[] { false, true })
            {
                FuzzOutcome outcome = SafeTensorsFuzzHarness.Exercise(bytes, viaFile);
                Assert.True(outcome.Bug is null, $"{Path.GetFileName(path)} (viaFile: {viaFile}): {outcome.Bug}");
            }
        }
        output.WriteLine($"Replayed {inputs.Length} regression inputs.");
    }
}
