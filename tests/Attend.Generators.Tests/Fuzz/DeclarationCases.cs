using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace Attend.Generators.Tests.Fuzz;

/// <summary>
/// Builds declarations for the generator fuzz test and says, independently of the generator, what each must do.
/// The oracle restates the rules the attributes document (sizes positive, ModelDim divisible by Heads unless DimHead
/// is set, Heads divisible by KvHeads, masks 0..3, scale 0 or positive finite, head ≤ <see cref="MaxHead"/>, weights
/// within one array) rather than calling the parser, so a parser that drifts from its documentation fails here.
/// </summary>
internal static class DeclarationCases
{
    /// <summary>Largest head Attend unrolls (ATTEND050 above it); 512 &lt; head ≤ this warns (ATTEND008).</summary>
    public const int MaxHead = 4096;

    private const int HugeHeadWarning = 512;

    private static readonly int[] SmallSizes = { 1, 2, 3, 4, 5, 7, 8, 12, 16, 17, 24, 32, 33, 48, 64, 96, 128 };

    /// <summary>Values a careless or hostile declaration might hold, each tried on every property.</summary>
    private static readonly int[] EdgeSizes = { 0, -1, -64, int.MinValue, int.MaxValue, 1 << 20, 4097, 65536, 46341 };

    /// <summary>
    /// Heads just over 512 (valid, ATTEND008) stay out: each emits over a thousand lines and compiling many would take
    /// minutes of CI; DiagnosticTests covers 520 and 4096, ATTEND050 above.
    /// </summary>
    private static readonly int[] RandomEdgeSizes = EdgeSizes;

    private static readonly string[] MhaSizeProperties = { "ModelDim", "Heads", "DimHead", "KeyDim", "ValueDim" };
    private static readonly string[] SdpaSizeProperties = { "Heads", "KvHeads", "DimHead", "ValueDimHead" };

    private static readonly LanguageVersion[] SupportedLanguages =
    {
        LanguageVersion.CSharp11, LanguageVersion.CSharp12, LanguageVersion.CSharp13, LanguageVersion.Latest, LanguageVersion.Preview,
    };

    /// <summary>Every property of each layer at every edge value, everything else valid; then structural edge cases.</summary>
    public static IEnumerable<DeclarationCase> Edges(int firstIndex)
    {
        int index = firstIndex;
        foreach (string property in MhaSizeProperties)
        {
            foreach (int value in EdgeSizes)
            {
                var layer = LayerDeclaration.ValidMha();
                layer.Ints[property] = value;
                yield return Build(index++, layer, Structure.Plain($"MHA {property} = {value}"));
            }
        }

        foreach (float scale in new[] { 0f, -1f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, float.MaxValue, -0f, 1e-30f })
        {
            var layer = LayerDeclaration.ValidMha();
            layer.Scale = scale;
            yield return Build(index++, layer, Structure.Plain($"MHA Scale = {scale.ToString("R", CultureInfo.InvariantCulture)}"));
        }

        foreach (int mask in new[] { 0, 1, 2, 3, 4, 12, -1, int.MinValue, int.MaxValue })
        {
            var layer = LayerDeclaration.ValidMha();
            layer.Mask = mask;
            yield return Build(index++, layer, Structure.Plain($"MHA Mask = {mask}"));
        }

        foreach (string property in SdpaSizeProperties)
        {
            foreach (int value in EdgeSizes)
            {
                var layer = LayerDeclaration.ValidSdpa();
                layer.Ints[property] = value;
                yield return Build(index++, layer, Structure.Plain($"SDPA {property} = {value}"));
            }
        }

        // Nothing set at all, and everything at int.MaxValue at once.
        yield return Build(index++, new LayerDeclaration(LayerKind.Mha), Structure.Plain("MHA with no arguments"));
        yield return Build(index++, new LayerDeclaration(LayerKind.Sdpa), Structure.Plain("SDPA with no arguments"));
        var allMax = new LayerDeclaration(LayerKind.Mha);
        foreach (string p in MhaSizeProperties) allMax.Ints[p] = int.MaxValue;
        yield return Build(index++, allMax, Structure.Plain("MHA every size int.MaxValue"));
        var allMaxSdpa = new LayerDeclaration(LayerKind.Sdpa);
        foreach (string p in SdpaSizeProperties) allMaxSdpa.Ints[p] = int.MaxValue;
        yield return Build(index++, allMaxSdpa, Structure.Plain("SDPA every size int.MaxValue"));

        // Structure: each shape of declaration once, on a valid layer of each kind.
        foreach (Func<Structure> make in Structure.EdgeShapes)
        {
            foreach (LayerKind kind in new[] { LayerKind.Mha, LayerKind.Sdpa })
            {
                yield return Build(index++, kind == LayerKind.Mha ? LayerDeclaration.ValidMha() : LayerDeclaration.ValidSdpa(), make());
            }
        }
    }

    /// <summary>A random declaration: random sizes (a quarter of them edge values) in a random shape of code.</summary>
    public static DeclarationCase Random(int index, Random random)
    {
        LayerDeclaration layer = LayerDeclaration.RandomLayer(random);
        return Build(index, layer, Structure.RandomStructure(random, layer));
    }

    private static DeclarationCase Build(int index, LayerDeclaration layer, Structure structure)
    {
        List<string> problems = layer.Problems(out bool hugeHead);
        problems.AddRange(structure.Problems);
        Verdict verdict = structure.CompilerError is not null ? Verdict.CompilerRejects
            : problems.Count > 0 ? Verdict.Invalid
            : Verdict.Valid;
        string description = $"{structure.Description}; {layer.Describe()}; C# {LanguageVersionFacts.ToDisplayString(structure.Language)}";
        return new DeclarationCase(index, description, verdict, structure.Language, structure.Render(index, layer, verdict == Verdict.Valid),
            problems, hugeHead && verdict == Verdict.Valid, structure.CompilerError);
    }

    private enum LayerKind
    {
        Mha,
        Sdpa,
    }

    /// <summary>An attribute's arguments; a property absent from the maps is left unset.</summary>
    private sealed class LayerDeclaration(LayerKind kind)
    {
        public LayerKind Kind { get; } = kind;

        public Dictionary<string, int> Ints { get; } = new();

        public float? Scale { get; set; }

        public int? Mask { get; set; }

        public bool? Bias { get; set; }

        /// <summary>How each int is written: plain, hex, a constant expression, or a named constant.</summary>
        public Dictionary<string, int> Spellings { get; } = new();

        public string AttributeName => Kind == LayerKind.Mha ? "MultiHeadAttention" : "ScaledDotProductAttention";

        public static LayerDeclaration ValidMha()
        {
            var layer = new LayerDeclaration(LayerKind.Mha);
            layer.Ints["ModelDim"] = 16;
            layer.Ints["Heads"] = 4;
            return layer;
        }

        public static LayerDeclaration ValidSdpa()
        {
            var layer = new LayerDeclaration(LayerKind.Sdpa);
            layer.Ints["Heads"] = 4;
            layer.Ints["DimHead"] = 8;
            return layer;
        }

        public static LayerDeclaration RandomLayer(Random r)
        {
            var layer = new LayerDeclaration(r.Next(2) == 0 ? LayerKind.Mha : LayerKind.Sdpa);
            string[] properties = layer.Kind == LayerKind.Mha ? MhaSizeProperties : SdpaSizeProperties;
            foreach (string property in properties)
            {
                bool required = property is "ModelDim" or "Heads" || (layer.Kind == LayerKind.Sdpa && property == "DimHead");
                if (!(required ? r.Next(20) > 0 : r.Next(4) == 0)) continue;
                layer.Ints[property] = r.Next(5) == 0 ? RandomEdgeSizes[r.Next(RandomEdgeSizes.Length)] : SmallSizes[r.Next(SmallSizes.Length)];
                layer.Spellings[property] = r.Next(6);
            }

            if (layer.Kind == LayerKind.Mha)
            {
                // Heads usually divides ModelDim, as in real models.
                if (r.Next(3) > 0 && layer.Ints.TryGetValue("Heads", out int h) && h is > 0 and <= 128) layer.Ints["ModelDim"] = h * SmallSizes[r.Next(SmallSizes.Length)];
                if (r.Next(4) == 0) layer.Mask = r.Next(8) == 0 ? new[] { 4, -1, 16 }[r.Next(3)] : r.Next(4);
                if (r.Next(5) == 0) layer.Bias = r.Next(2) == 0;
                if (r.Next(5) == 0) layer.Scale = new[] { 0f, 0.125f, 1f, -0.5f, float.NaN, float.PositiveInfinity, 1e-20f }[r.Next(7)];
            }
            else if (r.Next(2) == 0 && layer.Ints.TryGetValue("Heads", out int h) && h is > 0 and <= 128)
            {
                // Grouped-query attention: KvHeads usually divides Heads.
                int[] divisors = Enumerable.Range(1, h).Where(d => h % d == 0).ToArray();
                layer.Ints["KvHeads"] = r.Next(4) == 0 ? r.Next(1, 9) : divisors[r.Next(divisors.Length)];
            }

            return layer;
        }

        /// <summary>The oracle: the property named by each rule the declaration breaks.</summary>
        public List<string> Problems(out bool hugeHead)
        {
            var problems = new List<string>();
            int Get(string name) => Ints.TryGetValue(name, out int v) ? v : 0;
            void Positive(string name, bool required)
            {
                if ((required || Ints.ContainsKey(name)) && Get(name) <= 0) problems.Add(name);
            }

            hugeHead = false;
            if (Kind == LayerKind.Mha)
            {
                foreach (string p in MhaSizeProperties) Positive(p, p is "ModelDim" or "Heads");
                int modelDim = Get("ModelDim"), heads = Get("Heads");
                long dimHead = Ints.ContainsKey("DimHead") ? Get("DimHead") : heads > 0 ? modelDim / heads : 0;
                if (!Ints.ContainsKey("DimHead") && modelDim > 0 && heads > 0 && modelDim % heads != 0) problems.Add("ModelDim");
                if (Mask is int mask && (mask & ~3) != 0) problems.Add("Mask");
                if (Scale is float scale && !(scale == 0f || (scale > 0f && float.IsFinite(scale)))) problems.Add("Scale");
                if (dimHead > MaxHead) problems.Add("DimHead");
                if (problems.Count == 0)
                {
                    long widest = Math.Max(modelDim, Math.Max(Ints.GetValueOrDefault("KeyDim", modelDim), Ints.GetValueOrDefault("ValueDim", modelDim)));
                    if (widest * heads * dimHead * 3 > int.MaxValue / 2) problems.Add("ModelDim × Heads × DimHead");
                }

                hugeHead = dimHead > HugeHeadWarning;
            }
            else
            {
                foreach (string p in SdpaSizeProperties) Positive(p, p is "Heads" or "DimHead");
                int heads = Get("Heads"), dimHead = Get("DimHead");
                int kvHeads = Ints.ContainsKey("KvHeads") ? Get("KvHeads") : heads;
                int valueDimHead = Ints.ContainsKey("ValueDimHead") ? Get("ValueDimHead") : dimHead;
                if (dimHead > MaxHead) problems.Add("DimHead");
                if (valueDimHead > MaxHead) problems.Add(Ints.ContainsKey("ValueDimHead") ? "ValueDimHead" : "DimHead");
                if (problems.Count == 0 && heads % kvHeads != 0) problems.Add("KvHeads");
                hugeHead = dimHead > HugeHeadWarning || valueDimHead > HugeHeadWarning;
            }

            return problems;
        }

        public string Arguments(Random? spellingRandom = null)
        {
            var parts = new List<string>();
            foreach ((string name, int value) in Ints) parts.Add($"{name} = {Spell(value, Spellings.GetValueOrDefault(name))}");
            if (Mask is int mask) parts.Add($"Mask = {MaskText(mask)}");
            if (Bias is bool bias) parts.Add($"Bias = {(bias ? "true" : "false")}");
            if (Scale is float scale) parts.Add($"Scale = {FloatText(scale)}");
            return string.Join(", ", parts);
        }

        public string Describe() => $"[{AttributeName}({Arguments()})]";

        private static string Spell(int value, int style) => value switch
        {
            int.MaxValue => "int.MaxValue",
            int.MinValue => "int.MinValue",
            _ => style switch
            {
                1 when value >= 0 => "0x" + value.ToString("X", CultureInfo.InvariantCulture),
                2 when value % 2 == 0 => $"2 * {value / 2}",
                3 => $"({value.ToString(CultureInfo.InvariantCulture)})",
                _ => value.ToString(CultureInfo.InvariantCulture),
            },
        };

        private static string MaskText(int mask) => mask switch
        {
            0 => "Attend.AttentionMask.None",
            1 => "Attend.AttentionMask.Causal",
            2 => "Attend.AttentionMask.KeyPadding",
            3 => "Attend.AttentionMask.Causal | Attend.AttentionMask.KeyPadding",
            _ => $"(Attend.AttentionMask)({mask.ToString(CultureInfo.InvariantCulture)})",
        };

        private static string FloatText(float value) =>
            float.IsNaN(value) ? "float.NaN"
            : float.IsPositiveInfinity(value) ? "float.PositiveInfinity"
            : float.IsNegativeInfinity(value) ? "float.NegativeInfinity"
            : value == float.Epsilon ? "float.Epsilon"
            : value == float.MaxValue ? "float.MaxValue"
            : value.ToString("R", CultureInfo.InvariantCulture) + "f";
    }

    /// <summary>The code around the attribute: namespace, containing types, the layer's own modifiers, files, language.</summary>
    private sealed class Structure
    {
        public string Description { get; init; } = "";

        public NamespaceStyle Namespace { get; init; }

        /// <summary>Containing types, outermost first: keyword and whether they are partial/generic.</summary>
        public List<(string Keyword, bool Partial, bool Generic)> Containers { get; init; } = new();

        public string LayerKeyword { get; init; } = "class";

        public string Modifiers { get; init; } = "public";

        public bool Partial { get; init; } = true;

        public bool Generic { get; init; }

        /// <summary>How the attribute is spelled: 0 qualified, 1 with a using, 2 global::...Attribute, 3 through an alias.</summary>
        public int Spelling { get; init; }

        public bool NullableDisabled { get; init; }

        /// <summary>Another part of the layer in a second file (it uses a generated constant when the layer is valid).</summary>
        public bool SplitAcrossFiles { get; init; }

        /// <summary>The other layer attribute on the same class, in this file (0), or on the second part (1); null for none.</summary>
        public int? SecondAttributePart { get; init; }

        public LanguageVersion Language { get; init; } = LanguageVersion.CSharp13;

        public string? CompilerError { get; init; }

        public List<string> Problems { get; } = new();

        public static Structure Plain(string description) => new() { Description = description, Namespace = NamespaceStyle.FileScoped };

        public static IEnumerable<Func<Structure>> EdgeShapes => new Func<Structure>[]
        {
            () => new Structure { Description = "global namespace", Namespace = NamespaceStyle.Global },
            () => new Structure { Description = "block namespace", Namespace = NamespaceStyle.Block },
            () => new Structure { Description = "record", LayerKeyword = "record" },
            () => new Structure { Description = "record class, sealed", LayerKeyword = "record class", Modifiers = "public sealed" },
            () => new Structure { Description = "abstract class", Modifiers = "public abstract" },
            () => new Structure { Description = "internal, no accessibility on the generated side", Modifiers = "internal" },
            () => new Structure { Description = "nested in partial class, record, struct, record struct, interface",
                Containers = { ("class", true, false), ("record", true, false), ("struct", true, false), ("record struct", true, false), ("interface", true, false) }, Modifiers = "public" },
            () => new Structure { Description = "nested in a static class, private", Containers = { ("static class", true, false) }, Modifiers = "private" },
            () => new Structure { Description = "split across files", SplitAcrossFiles = true },
            () => new Structure { Description = "split across files, #nullable disable", SplitAcrossFiles = true, NullableDisabled = true },
            () => new Structure { Description = "#nullable disable", NullableDisabled = true },
            () => new Structure { Description = "using Attend", Spelling = 1 },
            () => new Structure { Description = "global::Attend.…Attribute", Spelling = 2 },
            () => new Structure { Description = "alias", Spelling = 3 },
            () => new Structure { Description = "C# 11 (the minimum)", Language = LanguageVersion.CSharp11 },
            () => new Structure { Description = "C# 12", Language = LanguageVersion.CSharp12 },
            () => new Structure { Description = "C# preview", Language = LanguageVersion.Preview },
            () => Invalid(new Structure { Description = "C# 10 (below the minimum)", Language = LanguageVersion.CSharp10 }, "ATTEND051"),
            () => Invalid(new Structure { Description = "C# 9", Language = LanguageVersion.CSharp9, Namespace = NamespaceStyle.Block }, "ATTEND051"),
            () => Invalid(new Structure { Description = "not partial", Partial = false }, "ATTEND001"),
            () => Invalid(new Structure { Description = "container not partial", Containers = { ("class", false, false) } }, "ATTEND002"),
            () => Invalid(new Structure { Description = "generic", Generic = true }, "ATTEND003"),
            () => Invalid(new Structure { Description = "generic container", Containers = { ("class", true, true) } }, "ATTEND003"),
            () => Invalid(new Structure { Description = "two layer attributes", SecondAttributePart = 0 }, "ATTEND011"),
            () => Invalid(new Structure { Description = "two layer attributes on two parts", SecondAttributePart = 1, SplitAcrossFiles = true }, "ATTEND011"),
            () => Invalid(new Structure { Description = "static class", Modifiers = "public static" }, "ATTEND052"),
            () => Invalid(new Structure { Description = "file-local class", Modifiers = "file" }, "ATTEND052"),
            () => new Structure { Description = "struct (the attribute targets classes)", LayerKeyword = "struct", CompilerError = "CS0592" },
            () => new Structure { Description = "record struct (the attribute targets classes)", LayerKeyword = "record struct", CompilerError = "CS0592" },
        };

        private static Structure Invalid(Structure structure, string id)
        {
            structure.Problems.Add(id);
            return structure;
        }

        public static Structure RandomStructure(Random r, LayerDeclaration layer)
        {
            LanguageVersion language = r.Next(25) == 0 ? LanguageVersion.CSharp10 : SupportedLanguages[r.Next(SupportedLanguages.Length)];
            var containers = new List<(string, bool, bool)>();
            int depth = r.Next(10) switch { < 6 => 0, < 9 => 1, _ => 2 };
            string[] containerKeywords = { "class", "static class", "struct", "record", "record struct", "interface", "sealed class" };
            for (int i = 0; i < depth; i++)
            {
                string container = containerKeywords[r.Next(containerKeywords.Length)];
                if (container == "interface" && i < depth - 1) container = "class"; // an interface holds the layer directly
                containers.Add((container, r.Next(25) > 0, container != "static class" && r.Next(30) == 0));
            }

            int kindRoll = r.Next(100);
            (string keyword, string modifiers, string? compilerError, string? problem) = kindRoll switch
            {
                < 60 => ((string, string, string?, string?))("class", depth > 0 && r.Next(3) == 0 ? "private" : r.Next(2) == 0 ? "public" : "internal", null, null),
                < 70 => ("class", "public sealed", null, null),
                < 76 => ("record", "public", null, null),
                < 80 => ("record class", "internal sealed", null, null),
                < 84 => ("class", "public abstract", null, null),
                < 87 => ("class", "public static", null, "ATTEND052"),
                < 89 when depth == 0 && language != LanguageVersion.CSharp10 => ("class", "file", null, "ATTEND052"),
                < 92 => (r.Next(2) == 0 ? "struct" : "record struct", "public", "CS0592", null),
                _ => ("class", "", null, null),
            };

            bool partialLayer = r.Next(25) > 0;
            bool canSplit = partialLayer && containers.All(c => c.Item2) && modifiers != "file";
            int? secondPart = r.Next(30) == 0 ? (canSplit ? r.Next(2) : 0) : null;
            var structure = new Structure
            {
                Description = "random",
                Namespace = (NamespaceStyle)r.Next(3),
                Containers = containers,
                LayerKeyword = keyword,
                Modifiers = modifiers,
                Partial = partialLayer,
                Generic = r.Next(30) == 0,
                Spelling = r.Next(4),
                NullableDisabled = r.Next(6) == 0,
                SplitAcrossFiles = secondPart == 1 || (canSplit && r.Next(6) == 0),
                SecondAttributePart = secondPart,
                Language = language,
                CompilerError = compilerError,
            };
            if (problem is not null) structure.Problems.Add(problem);
            if (language == LanguageVersion.CSharp10) structure.Problems.Add("ATTEND051");
            if (!structure.Partial) structure.Problems.Add("ATTEND001");
            if (structure.Generic || containers.Any(c => c.Item3)) structure.Problems.Add("ATTEND003");
            if (containers.Any(c => !c.Item2)) structure.Problems.Add("ATTEND002");
            if (structure.SecondAttributePart is not null) structure.Problems.Add("ATTEND011");
            return structure;
        }

        /// <summary>The case's files. Type names start with <c>L{index}_</c> / <c>O{index}_</c> so every diagnostic maps back to its case.</summary>
        public IReadOnlyList<string> Render(int index, LayerDeclaration layer, bool valid)
        {
            string layerName = $"L{index}_Layer";
            string attribute = AttributeText(layer.AttributeName, layer.Arguments());
            string second = layer.AttributeName == "MultiHeadAttention"
                ? AttributeText("ScaledDotProductAttention", "Heads = 2, DimHead = 4")
                : AttributeText("MultiHeadAttention", "ModelDim = 8, Heads = 2");
            string typeParameters = Generic ? "<T>" : "";
            string partial = Partial ? "partial " : "";
            string modifiers = Modifiers.Length > 0 ? Modifiers + " " : "";

            var files = new List<string>();
            string firstAttributes = attribute + (SecondAttributePart == 0 ? " " + second : "");
            files.Add(File(index, firstAttributes + $" {modifiers}{partial}{LayerKeyword} {layerName}{typeParameters} {{ }}", NullableDisabled));
            if (SplitAcrossFiles)
            {
                string member = valid ? "public const int Width = Heads;" : "public const int Extra = 42;"; // const: fits static classes too
                string attributes = SecondAttributePart == 1 ? second + " " : "";
                files.Add(File(index, $"{attributes}partial {LayerKeyword} {layerName}{typeParameters} {{ {member} }}", !NullableDisabled));
            }

            return files;
        }

        private string AttributeText(string name, string arguments)
        {
            string args = arguments.Length > 0 ? $"({arguments})" : "";
            return Spelling switch
            {
                1 => $"[{name}{args}]",
                2 => $"[global::Attend.{name}Attribute{args}]",
                3 => $"[{(name == "MultiHeadAttention" ? "Mha" : "Sdpa")}{args}]",
                _ => $"[Attend.{name}{args}]",
            };
        }

        private string File(int index, string layer, bool nullableDisabled)
        {
            var text = new StringBuilder();
            if (nullableDisabled) text.Append("#nullable disable\n");
            if (Spelling == 1) text.Append("using Attend;\n");
            if (Spelling == 3) text.Append("using Mha = Attend.MultiHeadAttentionAttribute;\nusing Sdpa = Attend.ScaledDotProductAttentionAttribute;\n");
            string body = layer;
            for (int i = Containers.Count - 1; i >= 0; i--)
            {
                (string keyword, bool partial, bool generic) = Containers[i];
                // Modifiers such as static or sealed go before 'partial'.
                int space = keyword.IndexOf(' ');
                (string modifier, string kind) = keyword.StartsWith("static ", StringComparison.Ordinal) || keyword.StartsWith("sealed ", StringComparison.Ordinal)
                    ? (keyword[..(space + 1)], keyword[(space + 1)..])
                    : ("", keyword);
                body = $"{modifier}{(partial ? "partial " : "")}{kind} O{index}_{i}{(generic ? "<TOuter>" : "")} {{ {body} }}";
            }

            switch (Namespace)
            {
                case NamespaceStyle.FileScoped: text.Append("namespace Fuzz.Layers;\n").Append(body).Append('\n'); break;
                case NamespaceStyle.Block: text.Append("namespace Fuzz.Nested\n{\n    ").Append(body).Append("\n}\n"); break;
                default: text.Append(body).Append('\n'); break;
            }

            return text.ToString();
        }
    }

    private enum NamespaceStyle
    {
        FileScoped,
        Block,
        Global,
    }
}
