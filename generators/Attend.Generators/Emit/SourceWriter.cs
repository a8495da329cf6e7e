using System.Text;

namespace Attend.Generators.Emit;

/// <summary>A string builder that tracks indentation, so emitters write code as a person would lay it out.</summary>
internal sealed class SourceWriter
{
    private const string IndentUnit = "    ";
    private readonly StringBuilder _builder = new();
    private int _indent;

    public SourceWriter Line(string text = "")
    {
        if (text.Length == 0)
        {
            _builder.Append('\n');
            return this;
        }

        for (int i = 0; i < _indent; i++) _builder.Append(IndentUnit);
        _builder.Append(text).Append('\n');
        return this;
    }

    /// <summary>Writes <paramref name="declaration"/> under the <c>[GeneratedCode]</c> attribute every emitted member carries.</summary>
    public SourceWriter GeneratedMember(string declaration) => Line(GeneratedCode.Attribute).Line(declaration);

    /// <summary>Writes each line of a multi-line block at the current indentation.</summary>
    public SourceWriter Lines(string block)
    {
        foreach (string line in block.Replace("\r\n", "\n").Split('\n')) Line(line);
        return this;
    }

    /// <summary>Writes <paramref name="header"/>, an opening brace, and indents until the returned scope is disposed.</summary>
    public Scope Block(string header, string closingSuffix = "")
    {
        if (header.Length > 0) Line(header);
        Line("{");
        _indent++;
        return new Scope(this, closingSuffix);
    }

    public override string ToString() => _builder.ToString();

    private void Close(string suffix)
    {
        // A member list ends at the brace: drop the blank line the last member left behind.
        if (_builder.Length >= 2 && _builder[_builder.Length - 1] == '\n' && _builder[_builder.Length - 2] == '\n') _builder.Length--;
        _indent--;
        Line("}" + suffix);
    }

    public readonly struct Scope : IDisposable
    {
        private readonly SourceWriter? _writer;
        private readonly string _closingSuffix;

        public Scope(SourceWriter writer, string closingSuffix)
        {
            _writer = writer;
            _closingSuffix = closingSuffix;
        }

        public void Dispose() => _writer?.Close(_closingSuffix);
    }
}
