using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using HomogenousDsl.Generator.Parsing;
using Microsoft.CodeAnalysis;

namespace HomogenousDsl.Analyzers.Tests;

/// <summary>Diagnostics are a product surface: every problem has an id, every id a documented section and a release entry.</summary>
public sealed class DescriptorTests
{
    [Fact]
    public void EveryParserProblemHasADescriptor()
    {
        foreach (var kind in Enum.GetValues<ProblemKind>())
            Assert.NotNull(DiagnosticDescriptors.For(kind));
    }

    [Fact]
    public void IdsAreUniqueAndCategorized()
    {
        var ids = DiagnosticDescriptors.All.Select(static d => d.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(DiagnosticDescriptors.All, static d => Assert.Contains(d.Category, new[] { DiagnosticDescriptors.HomogeneityCategory, DiagnosticDescriptors.UsageCategory }));
        Assert.All(DiagnosticDescriptors.All.Where(static d => d.Id.CompareTo("HD0100") < 0), static d => Assert.Equal(DiagnosticDescriptors.HomogeneityCategory, d.Category));
    }

    [Fact]
    public void EveryHelpLinkPointsAtASectionOfTheDiagnosticsDocument()
    {
        var document = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "diagnostics.md"));
        var anchors = Regex.Matches(document, @"^## (HD\d{4})\b", RegexOptions.Multiline).Select(static m => m.Groups[1].Value.ToLowerInvariant()).ToHashSet();
        foreach (var descriptor in DiagnosticDescriptors.All)
        {
            var link = descriptor.HelpLinkUri;
            Assert.EndsWith("/docs/diagnostics.md#" + descriptor.Id.ToLowerInvariant(), link);
            Assert.Contains(descriptor.Id.ToLowerInvariant(), anchors);
        }
    }

    [Fact]
    public void EveryIdIsTrackedAsUnshippedWithItsCategoryAndSeverity()
    {
        var unshipped = File.ReadAllText(Path.Combine(RepositoryRoot(), "analyzers", "HomogenousDsl.Analyzers", "AnalyzerReleases.Unshipped.md"));
        foreach (var descriptor in DiagnosticDescriptors.All)
            Assert.Contains($"{descriptor.Id} | {descriptor.Category} | {descriptor.DefaultSeverity} |", unshipped);
    }

    private static string RepositoryRoot([CallerFilePath] string file = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", ".."));
}
