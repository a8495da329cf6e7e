using Microsoft.CodeAnalysis.Text;

namespace Attend.Generators.Model;

/// <summary>
/// A source location reduced to plain values: a <see cref="Location"/> holds the syntax tree,
/// which would keep the compilation alive in the incremental cache and defeat equality.
/// </summary>
internal sealed record LocationInfo(string FilePath, TextSpan TextSpan, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, TextSpan, LineSpan);

    public static LocationInfo? From(Location? location)
    {
        if (location?.SourceTree is null) return null;
        return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
    }
}
