using SharpBpf.Abi;

namespace SharpBpf.Object;

/// <summary>
/// One row of libbpf's section-name table: a <see cref="Pattern"/> in libbpf's syntax and the program
/// type and expected attach type it implies. Pattern syntax (libbpf <c>sec_def_matches</c>):
/// <c>"name"</c> matches exactly; <c>"name+"</c> matches <c>name</c> or <c>name/anything</c>;
/// <c>"name/"</c> matches <c>name/anything</c>.
/// </summary>
public sealed record SectionDefinition(string Pattern, ProgramType Type, AttachType? ExpectedAttachType)
{
    /// <summary>Whether <paramref name="sectionName"/> matches <see cref="Pattern"/>.</summary>
    public bool Matches(string sectionName)
    {
        ArgumentNullException.ThrowIfNull(sectionName);
        if (Pattern.EndsWith('/'))
            return sectionName.StartsWith(Pattern, StringComparison.Ordinal);
        if (Pattern.EndsWith('+'))
        {
            var stem = Pattern.AsSpan(0, Pattern.Length - 1);
            return sectionName.AsSpan().StartsWith(stem, StringComparison.Ordinal)
                && (sectionName.Length == stem.Length || sectionName[stem.Length] == '/');
        }

        return sectionName == Pattern;
    }
}
