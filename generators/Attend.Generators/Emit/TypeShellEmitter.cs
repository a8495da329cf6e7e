namespace Attend.Generators.Emit;

/// <summary>Re-opens the user's namespace, enclosing types and class, so emitters only write members.</summary>
internal static class TypeShellEmitter
{
    /// <param name="remarks">Lines of the class's <c>&lt;remarks&gt;</c>: what was specialized and why.</param>
    /// <param name="baseList">Interfaces the class implements (<c>" : global::Attend.IX"</c>), or empty.</param>
    public static string Emit(LayerIdentity identity, string summary, string[] remarks, Action<SourceWriter> members, string baseList = "")
    {
        var w = new SourceWriter();
        w.Lines(GeneratedCode.FileHeader.TrimEnd('\n'));
        w.Line();
        if (identity.Namespace.Length > 0)
        {
            w.Line($"namespace {identity.Namespace};");
            w.Line();
        }

        var scopes = new System.Collections.Generic.List<SourceWriter.Scope>();
        foreach (TypeDeclarationInfo outer in identity.ContainingTypes)
        {
            scopes.Add(w.Block($"partial {outer.Keyword} {outer.Name}"));
        }

        w.Line($"/// <summary>{summary}</summary>");
        w.Line("/// <remarks>");
        foreach (string remark in remarks) w.Line($"/// <para>{remark}</para>");
        w.Line("/// </remarks>");
        using (w.Block($"partial {identity.Type.Keyword} {identity.Type.Name}{baseList}"))
        {
            members(w);
        }

        for (int i = scopes.Count - 1; i >= 0; i--) scopes[i].Dispose();
        return w.ToString();
    }
}
