using System;
using System.Collections.Generic;

namespace Attend.Benchmarks;

/// <summary>One benchmark row: MHA self-attention forward, float32, batch 1.</summary>
/// <param name="QueryLength">Query rows (1 for the decode step).</param>
/// <param name="KeyLength">Keys attended to (2048 for the decode step: 2047 cached and the new one).</param>
/// <param name="ModelDim">E.</param>
/// <param name="Heads">H.</param>
/// <param name="Causal">Causal mask.</param>
public sealed record Shape(int QueryLength, int KeyLength, int ModelDim, int Heads, bool Causal)
{
    /// <summary>The rows of the issue: decode, 128, 512, 2048 (E 512, H 8) and 4096 (E 256, H 4); none and causal.</summary>
    public static IReadOnlyList<Shape> All { get; } =
    [
        new(1, 2048, 512, 8, false),
        new(128, 128, 512, 8, false),
        new(128, 128, 512, 8, true),
        new(512, 512, 512, 8, false),
        new(512, 512, 512, 8, true),
        new(2048, 2048, 512, 8, false),
        new(2048, 2048, 512, 8, true),
        new(4096, 4096, 256, 4, false),
        new(4096, 4096, 256, 4, true),
    ];

    /// <summary>Whether this is the decode step (one query against a KV cache).</summary>
    public bool IsDecode => QueryLength == 1 && KeyLength > 1;

    /// <summary>Cached rows of the decode step.</summary>
    public int PastLength => IsDecode ? KeyLength - 1 : 0;

    /// <summary>
    /// FLOPs as /work/shared/benchmarks/README.md counts them: <c>2·seq·E·3E + 2·2·H·seq·kv·(E/H)</c> (the attention
    /// term halved when causal) <c>+ 2·seq·E·E</c>. The decode step projects its one token only.
    /// </summary>
    public double Flops
    {
        get
        {
            double seq = QueryLength, kv = KeyLength, e = ModelDim, h = Heads;
            double attention = 2.0 * 2 * h * seq * kv * (e / h);
            if (Causal)
            {
                attention *= 0.5;
            }

            return 2 * seq * e * 3 * e + attention + 2 * seq * e * e;
        }
    }

    /// <summary>The projections' share of <see cref="Flops"/>.</summary>
    public double ProjectionFlops => 2.0 * QueryLength * ModelDim * 4 * ModelDim;

    /// <summary>A short name: decode, self_128, self_512 causal, …</summary>
    public string Name => (IsDecode ? "decode" : $"self_{QueryLength}") + (Causal ? " causal" : "");

    public override string ToString() => Name;

    /// <summary>Parses "decode", "128", "512c" / "512-causal", …</summary>
    public static Shape Parse(string text)
    {
        foreach (Shape shape in All)
        {
            string plain = shape.IsDecode ? "decode" : shape.QueryLength.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (shape.Causal ? text == plain + "c" || text == plain + "-causal" : text == plain)
            {
                return shape;
            }
        }

        throw new ArgumentException($"Unknown shape '{text}'; expected decode, 128, 128c, 512, 512c, 2048, 2048c, 4096, 4096c.");
    }
}
