using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace Attend;

/// <summary>
/// Presents a Hugging Face BERT checkpoint under the names <c>BertModel</c> uses, whichever model saved it.
/// </summary>
public static class BertCheckpoint
{
    /// <summary>
    /// A view of <paramref name="source"/> whose names are those of <c>BertModel</c>'s state dict
    /// (<c>embeddings.word_embeddings.weight</c>, <c>encoder.layer.0.attention.output.LayerNorm.weight</c>, …):
    /// the <c>bert.</c> prefix a task model (<c>BertForMaskedLM</c>, <c>BertForSequenceClassification</c>)
    /// saves its encoder under is removed, and the legacy <c>LayerNorm.gamma</c> / <c>LayerNorm.beta</c>
    /// of TensorFlow-era checkpoints read as <c>LayerNorm.weight</c> / <c>LayerNorm.bias</c>, as
    /// Hugging Face's loader renames them. Other tensors (a task head's <c>cls.*</c>) keep their names.
    /// Values and shapes are the source's; nothing is copied.
    /// </summary>
    /// <param name="source">Weights from <see cref="SafeTensors.Open"/>, <see cref="OnnxWeights.Open"/> or any other source.</param>
    /// <exception cref="ArgumentException">Two of the source's names map to the same canonical name (e.g. both <c>x.LayerNorm.gamma</c> and <c>x.LayerNorm.weight</c>).</exception>
    public static IWeightSource Canonical(IWeightSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new CanonicalBertWeights(source);
    }

    /// <summary>The <c>BertModel</c> name of a tensor saved as <paramref name="name"/>.</summary>
    internal static string CanonicalName(string name)
    {
        const string prefix = "bert.";
        if (name.StartsWith(prefix, StringComparison.Ordinal))
            name = name[prefix.Length..];
        if (name.EndsWith("LayerNorm.gamma", StringComparison.Ordinal))
            return name[..^"gamma".Length] + "weight";
        if (name.EndsWith("LayerNorm.beta", StringComparison.Ordinal))
            return name[..^"beta".Length] + "bias";
        return name;
    }

    private sealed class CanonicalBertWeights : IWeightSource
    {
        private readonly IWeightSource _source;
        private readonly Dictionary<string, TensorInfo> _byCanonical = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _storedByCanonical = new(StringComparer.Ordinal);
        private readonly ReadOnlyCollection<string> _names;

        internal CanonicalBertWeights(IWeightSource source)
        {
            _source = source;
            var names = new List<string>();
            foreach (string stored in source.Names)
            {
                string canonical = CanonicalName(stored);
                if (!_storedByCanonical.TryAdd(canonical, stored))
                    throw new ArgumentException(
                        $"The checkpoint holds both '{_storedByCanonical[canonical]}' and '{stored}', which are the same BertModel tensor " +
                        $"'{canonical}'; pass a checkpoint that holds it once.", nameof(source));
                if (!source.TryGetInfo(stored, out TensorInfo info))
                    throw new ArgumentException($"The source lists '{stored}' in Names but TryGetInfo does not find it.", nameof(source));
                _byCanonical.Add(canonical, canonical == stored ? info : info with { Name = canonical });
                names.Add(canonical);
            }
            _names = names.AsReadOnly();
        }

        public IEnumerable<string> Names => _names;

        public bool TryGetInfo(string name, out TensorInfo info)
        {
            ArgumentNullException.ThrowIfNull(name);
            if (_byCanonical.TryGetValue(name, out TensorInfo? found))
            {
                info = found;
                return true;
            }
            info = null!;
            return false;
        }

        public void ReadFloat32(string name, Span<float> destination)
        {
            ArgumentNullException.ThrowIfNull(name);
            if (!_storedByCanonical.TryGetValue(name, out string? stored))
                throw TensorNameSuggestions.Missing(name, _names, "the BertModel view of the checkpoint");
            _source.ReadFloat32(stored, destination);
        }

        public override string ToString() => $"BertModel names over {_source}";
    }
}
