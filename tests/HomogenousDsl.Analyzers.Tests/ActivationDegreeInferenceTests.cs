using HomogenousDsl.Generator.Parsing;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace HomogenousDsl.Analyzers.Tests;

/// <summary>The degree inference on <c>Value</c> bodies: what it proves, and what it quotes when it cannot.</summary>
public sealed class ActivationDegreeInferenceTests
{
    [Theory]
    [InlineData("=> x;", 1)]
    [InlineData("=> x > 0 ? x : 0.2f * x;", 1)]
    [InlineData("=> x > 0f ? x : 0;", 1)]
    [InlineData("=> 0 < x ? x * 0.5f : -x / 4f;", 1)]
    [InlineData("=> System.Math.Max(x, 0f);", 1)]
    [InlineData("=> MathF.Max(x, 0.1f * x) - MathF.Min(x, 0);", 1)]
    [InlineData("=> Math.Abs(x);", 1)]
    [InlineData("=> (float)(x * Math.Abs(x));", 2)]
    [InlineData("=> x >= 0 && !(x == 0) ? x * x * x : 0;", 3)]
    [InlineData("{ var r = Math.Max(x, 0f); return r * r; }", 2)]
    [InlineData("{ const float slope = 0.2f; if (x > 0) return x; return slope * x; }", 1)]
    [InlineData("{ float y; if (x > 0) { y = x; } else { y = 0.1f * x; } y *= 3f; return y; }", 1)]
    [InlineData("{ var y = 0f; if (x < 0) y = -x; y += x; return y; }", 1)]
    public void ProvesTheDegree(string body, int degree)
    {
        var inference = Infer(body);
        Assert.True(inference.Succeeded, inference.Reason);
        Assert.Equal(degree, inference.Degree);
    }

    [Theory]
    [InlineData("=> x + 1;", "x + 1", "non-zero constant")]
    [InlineData("=> 2f * x - 0.5f;", "2f * x - 0.5f", "non-zero constant")]
    [InlineData("=> MathF.Exp(x);", "MathF.Exp(x)", "MathF.Exp does not commute")]
    [InlineData("=> (float)Math.Tanh(x);", "Math.Tanh(x)", "Math.Tanh")]
    [InlineData("=> x > 0 ? x : (float)Math.Log(1 - x);", "Math.Log(1 - x)", "Math.Log")]
    [InlineData("=> Helper(x);", "Helper(x)", "cannot see through")]
    [InlineData("=> x * x + x;", "x * x + x", "degree 2 and 1")]
    [InlineData("=> x > 0 ? x * x : x;", "x > 0 ? x * x : x", "same degree")]
    [InlineData("=> x > 1 ? x : 0;", "x > 1", "compare the argument with 0")]
    [InlineData("=> 1 / x;", "1 / x", "divides by an expression")]
    [InlineData("=> (int)x;", "(int)x", "rounds or truncates")]
    [InlineData("=> 3f;", "3f", "does not depend on the argument")]
    [InlineData("{ var y = x; while (y > 0) y -= x; return y; }", "while (y > 0) y -= x;", "cannot see through")]
    [InlineData("{ if (x > 0) return x; return x * x; }", "x * x", "same degree")]
    [InlineData("=> x + Offset;", "Offset", "not the argument")]
    public void QuotesTheOffendingSubExpression(string body, string offender, string reason)
    {
        var inference = Infer(body);
        Assert.False(inference.Succeeded);
        Assert.Equal(offender, inference.Offender?.ToString());
        Assert.Contains($"`{offender}`", inference.Reason);
        Assert.Contains(reason, inference.Reason);
    }

    private static ActivationInference Infer(string body)
    {
        var tree = CSharpSyntaxTree.ParseText($"static class A {{ public static float Value(float x) {body} }}");
        var method = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().Single();
        return ActivationDegreeInference.Infer(method);
    }
}
