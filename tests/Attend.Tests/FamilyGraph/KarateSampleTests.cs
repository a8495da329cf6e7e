using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Attend.Kernels;
using Attend.Samples.Karate;
using Xunit;

namespace Attend.Tests.FamilyGraph;

/// <summary>
/// The karate club sample (<c>samples/Attend.Samples.Karate</c>): the GAT trained by <c>train_karate_gat.py</c> gives
/// PyTorch's logits within 1e-4 and exactly PyTorch's accuracy, on every kernel path.
/// </summary>
public sealed class KarateSampleTests
{
    private static string WeightsPath => Path.Combine(AppContext.BaseDirectory, "TestData", "karate", "karate_gat.safetensors");

    public static IEnumerable<object[]> Paths()
    {
        foreach (KernelPath path in KernelPaths.All.ToArray()) yield return new object[] { path };
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Logits_and_accuracy_match_pytorch(KernelPath path)
    {
        using SafeTensorsFile file = SafeTensors.Open(WeightsPath);
        int[] edgeIndex = file.ReadInt64("input.edge_index").Select(v => checked((int)v)).ToArray();
        long[] labels = file.ReadInt64("input.labels");
        bool[] heldOut = file.ReadBool("input.test_mask");
        float[] expected = file.ReadFloat32("output.logits");

        var model = new KarateClubModel { Path = path };
        model.LoadWeights(file);
        GraphNeighbourhoods graph = GraphNeighbourhoods.FromEdgeIndex(edgeIndex, KarateClubModel.Members, addSelfLoops: true);
        var logits = new float[KarateClubModel.Members * KarateClubModel.Clubs];
        model.Forward(file.ReadFloat32("input.x"), graph, logits);

        FamilyAssert.Close("logits", expected, logits, 1e-4, 0);
        int[] predicted = KarateClubModel.Predict(logits);
        Assert.Equal(KarateClubModel.Predict(expected), predicted);

        double heldOutAccuracy = Accuracy(predicted, labels, i => heldOut[i]);
        double allAccuracy = Accuracy(predicted, labels, _ => true);
        Assert.Equal(double.Parse(file.Metadata["test_accuracy"], System.Globalization.CultureInfo.InvariantCulture), heldOutAccuracy, 6);
        Assert.Equal(double.Parse(file.Metadata["all_accuracy"], System.Globalization.CultureInfo.InvariantCulture), allAccuracy, 6);
        Assert.True(heldOutAccuracy > 0.8, $"held-out accuracy {heldOutAccuracy}: the committed model should have learned the split");
    }

    private static double Accuracy(int[] predicted, long[] labels, Func<int, bool> include)
    {
        int[] members = Enumerable.Range(0, predicted.Length).Where(include).ToArray();
        return members.Count(i => predicted[i] == labels[i]) / (double)members.Length;
    }
}
