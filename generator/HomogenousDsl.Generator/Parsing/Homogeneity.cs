namespace HomogenousDsl.Generator.Parsing;

/// <summary>
/// How an expression scales with the activation's argument x: the constant 0 (homogeneous of every degree), a non-zero
/// constant (degree 0), or positively homogeneous of degree k ≥ 1.
/// </summary>
internal readonly struct Homogeneity
{
    private Homogeneity(bool isZero, int degree)
    {
        IsZero = isZero;
        Degree = degree;
    }

    public static Homogeneity Zero => new(true, 0);

    public static Homogeneity Constant => new(false, 0);

    public static Homogeneity OfDegree(int degree) => new(false, degree);

    /// <summary>The literal constant 0, which agrees with every degree (as in <c>x &gt; 0 ? x : 0</c>).</summary>
    public bool IsZero { get; }

    public int Degree { get; }

    /// <summary>A non-zero constant: degree 0.</summary>
    public bool IsConstant => !IsZero && Degree == 0;

    /// <summary>Terms of a sum, arms of a conditional and arguments of max/min must agree; zero agrees with anything.</summary>
    public static bool TryAgree(Homogeneity left, Homogeneity right, out Homogeneity result)
    {
        result = left.IsZero ? right : left;
        return left.IsZero || right.IsZero || left.Degree == right.Degree;
    }

    /// <summary>Degrees add under multiplication; a factor 0 makes the product 0.</summary>
    public static Homogeneity Product(Homogeneity left, Homogeneity right) =>
        left.IsZero || right.IsZero ? Zero : OfDegree(left.Degree + right.Degree);

    public override string ToString() => IsZero ? "the constant 0" : IsConstant ? "a non-zero constant (degree 0)" : "degree " + Degree;
}
