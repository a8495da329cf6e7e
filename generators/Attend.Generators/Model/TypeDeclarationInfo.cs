namespace Attend.Generators.Model;

/// <summary>One type in the nesting chain of a declared layer: enough to re-open it as <c>partial</c>.</summary>
/// <param name="Keyword">The declaration keyword as written: <c>class</c>, <c>record</c>, <c>record class</c>, <c>struct</c>….</param>
/// <param name="Name">The type's name.</param>
/// <param name="Accessibility">The accessibility keywords as written on the declaration (kept so generated text matches).</param>
internal sealed record TypeDeclarationInfo(string Keyword, string Name, string Accessibility);
