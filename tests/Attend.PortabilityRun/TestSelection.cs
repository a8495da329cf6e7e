using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Attend;
using Xunit;
using Xunit.Sdk;

namespace Attend.PortabilityRun;

/// <summary>Which tests run: one or more fixture suites per layer kind, each case on the Scalar and Vector128 paths.</summary>
internal static class TestSelection
{
    /// <summary>
    /// Every layer kind against its PyTorch fixtures: multi-head attention, scaled dot-product attention, the score
    /// family (additive, dot, general, cosine), channel attention (SE, ECA, CBAM), encoder and decoder blocks, the vision
    /// transformer, graph attention, Nadaraya–Watson, memory heads, attention pooling, the External-Attention modules (SimAM,
    /// Shuffle, CoordAtt, PSA, External Attention, MobileViTv2, BAM, Triplet, SK), DANet and attention as convolution, and the
    /// convolution under several of them.
    /// </summary>
    public static readonly string[] Classes =
    [
        "MhaFixtureTests", "SdpaFixtureTests", "ScoreAttentionFixtureTests", "ChannelAttentionFixtureTests",
        "EncoderFixtureTests", "DecoderFixtureTests", "VisionTransformerFixtureTests", "GraphAttentionTests",
        "NadarayaWatsonTests", "MemoryHeadsTests", "AttentionPoolingTests",
        "PointwiseAttentionFixtureTests", "ExternalAttentionFixtureTests", "ImageAttentionFixtureTests", "Convolution2dTests",
    ];

    /// <summary>
    /// The class's facts and theory cases that take a <see cref="KernelPath"/>, on Scalar and Vector128 only (wider
    /// paths are emulated in software on ARM64, slow under an emulator and checked on x64 already); unskipped ones only.
    /// </summary>
    public static IEnumerable<(MethodInfo Method, object?[] Arguments)> Cases(Type type)
    {
        foreach (MethodInfo method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
        {
            if (method.GetCustomAttribute<FactAttribute>() is not { Skip: null } || !method.GetParameters().Any(p => p.ParameterType == typeof(KernelPath)))
            {
                continue;
            }

            foreach (DataAttribute data in method.GetCustomAttributes<DataAttribute>())
            {
                foreach (object?[] arguments in data.GetData(method))
                {
                    if (arguments.OfType<KernelPath>().All(path => path is KernelPath.Scalar or KernelPath.Vector128))
                    {
                        yield return (method, arguments);
                    }
                }
            }
        }
    }
}
