namespace Attend.Generators.Model;

/// <summary>
/// A diagnostic as plain data (descriptor id, location values, message arguments as strings), so it
/// can travel through the incremental pipeline and be compared by value.
/// </summary>
internal sealed record DiagnosticInfo(string DescriptorId, LocationInfo? Location, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params string[] arguments) =>
        new(descriptor.Id, LocationInfo.From(location), arguments.ToEquatableArray());

    public Diagnostic ToDiagnostic()
    {
        DiagnosticDescriptor descriptor = Diagnostics.Descriptors.ById(DescriptorId);
        object[] arguments = new object[Arguments.Count];
        for (int i = 0; i < arguments.Length; i++) arguments[i] = Arguments[i];
        return Diagnostic.Create(descriptor, Location?.ToLocation(), arguments);
    }
}
