using System.Globalization;
using System.Linq;
using HomogenousDsl.Generator.Model;

namespace HomogenousDsl.Generator.Emitting;

/// <summary>C# literals written invariantly, whatever the build machine's culture.</summary>
internal static class Literals
{
    public static string Float(float value) => value.ToString("R", CultureInfo.InvariantCulture) + "f";

    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string String(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    public static string IntArray(EquatableArray<int> values) =>
        values.Length == 0 ? "global::System.Array.Empty<int>()" : "new[] { " + string.Join(", ", values.Select(Int)) + " }";

    /// <summary>Comma-separated dimensions for comments: <c>1×28×28</c>.</summary>
    public static string Shape(EquatableArray<int> values) => string.Join("×", values.Select(Int));
}
