using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace HomogenousDsl.Analyzers.Tests;

/// <summary>
/// Analyzer tests with <c>{|HD0001:…|}</c> markup, compiled against <see cref="TestReferences"/>, running both analyzers
/// as a build does.
/// </summary>
internal static class AnalyzerVerifier
{
    /// <summary>Checks the marked diagnostics; the hidden degree diagnostic is left out unless <paramref name="withDegree"/>.</summary>
    public static Task VerifyAsync(string source, bool withDegree = false, params DiagnosticResult[] expected)
    {
        var test = new BothAnalyzersTest { TestCode = source, ReferenceAssemblies = TestReferences.NoPackage, MarkupOptions = MarkupOptions.UseFirstDescriptor };
        test.TestState.AdditionalReferences.AddRange(TestReferences.All);
        test.ExpectedDiagnostics.AddRange(expected);
        if (!withDegree)
            test.DisabledDiagnostics.Add(DiagnosticIds.InferredDegree);
        return test.RunAsync();
    }

    private sealed class BothAnalyzersTest : CSharpAnalyzerTest<NetworkAnalyzer, DefaultVerifier>
    {
        protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() => [new NetworkAnalyzer(), new CustomActivationAnalyzer()];
    }
}

/// <summary>Code-fix tests: the marked source, the fixed source, and (optionally) which of several fixes to apply.</summary>
internal static class CodeFixVerifier<TAnalyzer, TCodeFix>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    public static Task VerifyAsync(string source, string fixedSource, int codeActionIndex = 0)
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
        {
            TestCode = source,
            FixedCode = fixedSource,
            CodeActionIndex = codeActionIndex,
            ReferenceAssemblies = TestReferences.NoPackage,
        };
        test.TestState.AdditionalReferences.AddRange(TestReferences.All);
        test.FixedState.AdditionalReferences.AddRange(TestReferences.All);
        test.DisabledDiagnostics.Add(DiagnosticIds.InferredDegree);
        return test.RunAsync();
    }
}
