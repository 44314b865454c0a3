using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace HomogenousDsl.Analyzers.Tests;

/// <summary>
/// References taken from the running runtime and the HomogenousDsl assembly, so no test ever downloads a
/// reference-assembly package: the testing library's <see cref="ReferenceAssemblies"/> gets no package to resolve.
/// </summary>
internal static class TestReferences
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_all = new(() =>
    {
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return trusted
            .Where(static path => Path.GetFileName(path) is var name && (name.StartsWith("System.", StringComparison.Ordinal) || name is "mscorlib.dll" or "netstandard.dll"))
            .Append(typeof(HomogeneousNetworkAttribute).Assembly.Location)
            .Select(static path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
    });

    public static ImmutableArray<MetadataReference> All => s_all.Value;

    /// <summary>A target framework with no package behind it: resolving it yields nothing and touches no feed.</summary>
    public static ReferenceAssemblies NoPackage { get; } = new("net10.0");
}
