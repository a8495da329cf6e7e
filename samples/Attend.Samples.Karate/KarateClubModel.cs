using System;

namespace Attend.Samples.Karate;

/// <summary>First layer: 34 one-hot member ids → 4 heads × 8 features, concatenated (32), with bias; ELU follows.</summary>
[GraphAttention(InFeatures = KarateClubModel.Members, OutFeatures = 8, Heads = 4, Bias = true)]
public sealed partial class KarateHiddenLayer;

/// <summary>Second layer: 32 → 2 heads × 2 club logits, averaged (the GAT paper's output layer), with bias.</summary>
/// <remarks>InFeatures is written out: KarateHiddenLayer.OutputWidth (= 4 × 8) is itself generated, so it does not exist when this attribute is read (ATTEND027).</remarks>
[GraphAttention(InFeatures = 32, OutFeatures = KarateClubModel.Clubs, Heads = 2, Combine = GraphHeadCombine.Mean, Bias = true)]
public sealed partial class KarateOutputLayer;

/// <summary>
/// The two-layer graph attention network <c>train_karate_gat.py</c> trains in PyTorch: GAT → ELU → GAT, self loops
/// added by both layers. Weights load under PyTorch's names, <c>conv1.*</c> and <c>conv2.*</c>.
/// </summary>
public sealed class KarateClubModel
{
    /// <summary>Members of the club (nodes of the friendship graph).</summary>
    public const int Members = 34;

    /// <summary>Clubs after the split: 0 = Mr. Hi's, 1 = the officer's.</summary>
    public const int Clubs = 2;

    private readonly KarateHiddenLayer _hidden = new();
    private readonly KarateOutputLayer _output = new();

    /// <summary>The instruction-set path both layers run.</summary>
    public KernelPath Path
    {
        get => _hidden.Path;
        set
        {
            _hidden.Path = value;
            _output.Path = value;
        }
    }

    /// <summary>Loads <c>conv1.W.weight</c>, <c>conv1.a</c>, <c>conv1.bias</c> and the same under <c>conv2.</c>.</summary>
    public void LoadWeights(IWeightSource source)
    {
        _hidden.LoadWeights(source, "conv1.");
        _output.LoadWeights(source, "conv2.");
    }

    /// <summary>Club logits <c>[graph.Nodes, Clubs]</c> for node features <c>[graph.Nodes, Members]</c>.</summary>
    public void Forward(ReadOnlySpan<float> features, GraphNeighbourhoods graph, Span<float> logits)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var hidden = new float[graph.Nodes * KarateHiddenLayer.OutputWidth];
        _hidden.Forward(features, graph, hidden);
        for (int i = 0; i < hidden.Length; i++)
        {
            // ELU(x) = x for x > 0, e^x − 1 otherwise (PyTorch's F.elu, alpha 1).
            if (hidden[i] <= 0f) hidden[i] = MathF.Exp(hidden[i]) - 1f;
        }

        _output.Forward(hidden, graph, logits);
    }

    /// <summary>The club with the larger logit, per member (ties go to club 0, as <c>argmax</c>).</summary>
    public static int[] Predict(ReadOnlySpan<float> logits)
    {
        var clubs = new int[logits.Length / Clubs];
        for (int i = 0; i < clubs.Length; i++) clubs[i] = logits[i * Clubs + 1] > logits[i * Clubs] ? 1 : 0;
        return clubs;
    }
}
