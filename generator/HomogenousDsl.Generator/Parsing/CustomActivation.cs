using System.Linq;
using System.Threading;
using HomogenousDsl.Generator.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace HomogenousDsl.Generator.Parsing;

/// <summary>
/// A user activation class read from its symbol: either its full name and inferred degree, a usage error (not marked,
/// missing <c>Value</c>/<c>Derivative</c>), or the inference failure that makes it not positively homogeneous.
/// </summary>
internal sealed class CustomActivation
{
    private CustomActivation(string name, string? fullName, string? usageError, ActivationInference? inference)
    {
        Name = name;
        FullName = fullName;
        UsageError = usageError;
        Inference = inference;
    }

    /// <summary>The class's simple name, for messages.</summary>
    public string Name { get; }

    /// <summary>The dotted name without <c>global::</c>, e.g. <c>Samples.Leaky02</c>.</summary>
    public string? FullName { get; }

    /// <summary>Why the class cannot be used as an activation at all, or null.</summary>
    public string? UsageError { get; }

    /// <summary>The degree inference of <c>Value</c>; null when there is a usage error.</summary>
    public ActivationInference? Inference { get; }

    public bool IsValid => UsageError is null && Inference is { Succeeded: true };

    public static CustomActivation Read(ITypeSymbol? type, CancellationToken cancellationToken)
    {
        if (type is not INamedTypeSymbol named || type.TypeKind == TypeKind.Error)
            return new CustomActivation("?", null, "names no class; write [Activation(typeof(YourActivation))]", null);
        var name = named.Name;
        if (!named.GetAttributes().Any(static a => a.AttributeClass?.ToDisplayString() == HomogeneityRules.HomogeneousActivationAttribute))
            return new CustomActivation(name, null, $"'{name}' is not marked [HomogeneousActivation]; mark it so the analyzer checks its Value method", null);
        if (named.IsGenericType || named.ContainingType is { IsGenericType: true })
            return new CustomActivation(name, null, $"'{name}' is generic; declare the activation as a non-generic static class", null);
        if (FindMethod(named, "Value") is not { } value || FindMethod(named, "Derivative") is null)
            return new CustomActivation(name, null, $"'{name}' needs `public static float Value(float x)` and `public static float Derivative(float x)`", null);
        if (named.DeclaredAccessibility == Accessibility.Private || value.DeclaredAccessibility == Accessibility.Private)
            return new CustomActivation(name, null, $"'{name}'.Value must be visible to the network (not private) so the generated code can call it", null);

        var syntax = value.DeclaringSyntaxReferences.Select(r => r.GetSyntax(cancellationToken)).OfType<MethodDeclarationSyntax>().FirstOrDefault();
        if (syntax is null)
            return new CustomActivation(name, null, $"the source of '{name}'.Value is not in this compilation, so its degree cannot be inferred; declare the activation in this project", null);
        var fullName = named.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", "");
        return new CustomActivation(name, fullName, null, ActivationDegreeInference.Infer(syntax));
    }

    private static IMethodSymbol? FindMethod(INamedTypeSymbol type, string name) =>
        type.GetMembers(name).OfType<IMethodSymbol>().FirstOrDefault(static m =>
            m.IsStatic && m.Parameters.Length == 1 && m.Parameters[0].Type.SpecialType == SpecialType.System_Single
            && m.ReturnType.SpecialType == SpecialType.System_Single && m.Parameters[0].RefKind == RefKind.None);
}
