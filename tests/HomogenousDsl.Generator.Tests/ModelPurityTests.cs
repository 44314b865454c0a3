using System.Reflection;
using HomogenousDsl.Generator.Model;
using Microsoft.CodeAnalysis;

namespace HomogenousDsl.Generator.Tests;

/// <summary>Pipeline models must hold values only; a symbol, compilation or syntax node in them defeats caching.</summary>
public sealed class ModelPurityTests
{
    [Fact]
    public void NetworkModelGraphHoldsNoCompilerObjects()
    {
        var forbidden = new[] { typeof(ISymbol), typeof(Compilation), typeof(SyntaxNode), typeof(Location), typeof(SemanticModel), typeof(AttributeData) };
        var seen = new HashSet<Type>();
        var pending = new Stack<Type>([typeof(NetworkModel)]);
        while (pending.Count > 0)
        {
            var type = pending.Pop();
            if (!seen.Add(type) || type.IsPrimitive || type == typeof(string) || type.IsEnum)
                continue;
            Assert.DoesNotContain(forbidden, f => f.IsAssignableFrom(type));
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            {
                var fieldType = field.FieldType.IsArray ? field.FieldType.GetElementType()! : field.FieldType;
                pending.Push(fieldType);
                foreach (var argument in fieldType.IsGenericType ? fieldType.GetGenericArguments() : [])
                    pending.Push(argument);
            }
        }
        Assert.Contains(typeof(LayerModel), seen);
    }
}
