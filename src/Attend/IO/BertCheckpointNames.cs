using System;
using System.Collections.Generic;

namespace Attend;

/// <summary>
/// Presents a BERT checkpoint under Hugging Face <c>BertModel</c>'s own names whatever its saver wrote: a task model's
/// <c>save_pretrained</c> (<c>BertForMaskedLM</c>, …) puts the encoder under <c>bert.</c>, and old checkpoints name the
/// LayerNorm parameters <c>gamma</c>/<c>beta</c>.
/// </summary>
public static class BertCheckpointNames
{
    private const string TaskPrefix = "bert.";

    /// <summary>
    /// A view of <paramref name="source"/> in which <c>bert.X</c> is also <c>X</c> and <c>….LayerNorm.gamma</c>/<c>beta</c> are also
    /// <c>….LayerNorm.weight</c>/<c>bias</c>; a name the source holds as written always wins over a renamed one.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    public static IWeightSource Canonical(IWeightSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var aliases = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string name in source.Names)
        {
            string canonical = CanonicalName(name);
            if (canonical != name && !source.TryGetInfo(canonical, out _)) aliases.TryAdd(canonical, name);
        }

        return aliases.Count == 0 ? source : new AliasedWeights(source, aliases);
    }

    /// <summary>The <c>BertModel</c> name of a checkpoint tensor: without <c>bert.</c>, with <c>weight</c>/<c>bias</c> for a LayerNorm.</summary>
    public static string CanonicalName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.StartsWith(TaskPrefix, StringComparison.Ordinal)) name = name.Substring(TaskPrefix.Length);
        if (name.EndsWith("LayerNorm.gamma", StringComparison.Ordinal)) return name.Substring(0, name.Length - "gamma".Length) + "weight";
        if (name.EndsWith("LayerNorm.beta", StringComparison.Ordinal)) return name.Substring(0, name.Length - "beta".Length) + "bias";
        return name;
    }

    private sealed class AliasedWeights(IWeightSource source, Dictionary<string, string> aliases) : IWeightSource
    {
        public IEnumerable<string> Names
        {
            get
            {
                foreach (string name in source.Names) yield return name;
                foreach (string alias in aliases.Keys) yield return alias;
            }
        }

        public bool TryGetInfo(string name, out TensorInfo info)
        {
            if (source.TryGetInfo(name, out info)) return true;
            if (!aliases.TryGetValue(name, out string? stored) || !source.TryGetInfo(stored, out info)) return false;
            info = info with { Name = name };
            return true;
        }

        public void ReadFloat32(string name, Span<float> destination) =>
            source.ReadFloat32(source.TryGetInfo(name, out _) ? name : aliases.GetValueOrDefault(name, name), destination);
    }
}
