namespace HomogenousDsl;

/// <summary>
/// Marks a static class as a user activation: <c>public static float Value(float x)</c> and
/// <c>public static float Derivative(float x)</c> (the subgradient used by backpropagation). The analyzer proves from
/// <c>Value</c>'s body that it is positively homogeneous and infers its degree k, σ(c·x) = cᵏ σ(x) for c &gt; 0
/// (HD0004 otherwise); the generator inlines both methods.
/// </summary>
/// <example>
/// <code>
/// [HomogeneousActivation]
/// public static class Leaky02
/// {
///     public static float Value(float x) => x > 0 ? x : 0.2f * x;
///     public static float Derivative(float x) => x > 0 ? 1f : 0.2f;
/// }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class HomogeneousActivationAttribute : Attribute
{
}

/// <summary>Applies a user activation marked with <see cref="HomogeneousActivationAttribute"/>, e.g. <c>[Activation(typeof(Leaky02))]</c>.</summary>
/// <param name="activation">The static class that holds <c>Value</c> and <c>Derivative</c>.</param>
public sealed class ActivationAttribute(Type activation) : LayerAttribute
{
    /// <summary>The static class that holds <c>Value</c> and <c>Derivative</c>.</summary>
    public Type Activation { get; } = activation;
}
