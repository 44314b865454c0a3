namespace HomogenousDsl;

/// <summary>
/// Base of every layer and activation attribute. Layers are read in source order from the one partial
/// declaration that carries <see cref="HomogeneousNetworkAttribute"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct, AllowMultiple = true, Inherited = false)]
public abstract class LayerAttribute : Attribute
{
}
