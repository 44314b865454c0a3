using Microsoft.CodeAnalysis;

namespace HomogenousDsl.Generator.Tests;

/// <summary>The README's twenty-line example must keep compiling, generated code included.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void ReadmeExampleCompilesWithTheGenerator()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        var start = readme.IndexOf("```csharp\n", StringComparison.Ordinal) + "```csharp\n".Length;
        var example = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];

        var (sources, output, _) = GeneratorHarness.Run(example);
        Assert.Single(sources);
        var errors = output.GetDiagnostics().Where(static d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "HomogenousDsl.sln")))
                return directory.FullName;
        }
        throw new DirectoryNotFoundException($"no HomogenousDsl.sln above {AppContext.BaseDirectory}");
    }
}
