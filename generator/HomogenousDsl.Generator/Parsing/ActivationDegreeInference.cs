using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace HomogenousDsl.Generator.Parsing;

/// <summary>The outcome of inferring a user activation's degree: the degree, or the sub-expression that breaks homogeneity.</summary>
internal sealed class ActivationInference
{
    private ActivationInference(int degree, SyntaxNode? offender, string? reason)
    {
        Degree = degree;
        Offender = offender;
        Reason = reason;
    }

    public static ActivationInference Success(int degree) => new(degree, null, null);

    public static ActivationInference Failure(SyntaxNode? offender, string reason) => new(0, offender, reason);

    public bool Succeeded => Reason is null;

    public int Degree { get; }

    /// <summary>The sub-expression or statement that is not positively homogeneous, when there is one to point at.</summary>
    public SyntaxNode? Offender { get; }

    /// <summary>What is wrong, quoting the offender, e.g. <c>`x + 1` adds the non-zero constant `1` to a term of degree 1</c>.</summary>
    public string? Reason { get; }
}

/// <summary>
/// Infers, from syntax alone, the degree k with which a user activation's <c>Value(x)</c> is positively homogeneous:
/// σ(c·x) = cᵏ σ(x) for every c &gt; 0. Constants have degree 0 (only 0 may be added to a non-constant), x has degree 1,
/// products add degrees, sums, conditional arms and max/min arguments must agree, conditions may compare terms of one
/// degree (typically x with 0), and <c>Math.Abs</c>, <c>Math.Max</c>, <c>Math.Min</c> and multiplication or division
/// by constants keep the degree. Anything else is rejected with the offending sub-expression. Sound but not complete:
/// what it accepts is homogeneous; a homogeneous body it cannot follow is reported, never accepted. Never throws.
/// </summary>
internal sealed class ActivationDegreeInference
{
    private static readonly HashSet<string> s_mathTypes = new(StringComparer.Ordinal) { "Math", "MathF", "System.Math", "System.MathF", "global::System.Math", "global::System.MathF" };
    private static readonly HashSet<string> s_floatTypes = new(StringComparer.Ordinal) { "float", "double", "Single", "Double", "System.Single", "System.Double" };

    private readonly string _parameter;
    private Dictionary<string, Homogeneity> _locals = new(StringComparer.Ordinal);
    private readonly List<(Homogeneity Value, SyntaxNode Node)> _returns = new();
    private ActivationInference? _failure;

    private ActivationDegreeInference(string parameter) => _parameter = parameter;

    public static ActivationInference Infer(MethodDeclarationSyntax value)
    {
        if (value.ParameterList.Parameters.Count != 1)
            return ActivationInference.Failure(value.ParameterList, "Value must take exactly one float argument");
        var inference = new ActivationDegreeInference(value.ParameterList.Parameters[0].Identifier.ValueText);
        if (value.ExpressionBody is { } arrow)
        {
            var result = inference.Expression(arrow.Expression);
            if (result is { } degree)
                inference._returns.Add((degree, arrow.Expression));
        }
        else if (value.Body is { } body)
        {
            inference.Statement(body);
        }
        else
        {
            return ActivationInference.Failure(value, "Value has no body the analyzer can read");
        }
        return inference.Conclude(value);
    }

    private ActivationInference Conclude(MethodDeclarationSyntax value)
    {
        if (_failure is not null)
            return _failure;
        if (_returns.Count == 0)
            return ActivationInference.Failure(value.Identifier.Parent, "Value returns nothing the analyzer can read");
        var result = _returns[0].Value;
        foreach (var (degree, node) in _returns.Skip(1))
        {
            if (!Homogeneity.TryAgree(result, degree, out result))
                return ActivationInference.Failure(node, $"`{Quote(node)}` returns {degree}, but another return has {_returns[0].Value}; every return must have the same degree");
        }
        if (result.IsZero || result.IsConstant)
            return ActivationInference.Failure(_returns[0].Node, $"`{Quote(_returns[0].Node)}` does not depend on the argument ({result}); an activation must scale with it, e.g. `x > 0 ? x : 0.2f * x`");
        return ActivationInference.Success(result.Degree);
    }

    private void Statement(StatementSyntax statement)
    {
        if (_failure is not null)
            return;
        switch (statement)
        {
            case BlockSyntax block:
                foreach (var inner in block.Statements)
                    Statement(inner);
                break;
            case LocalDeclarationStatementSyntax local:
                foreach (var variable in local.Declaration.Variables)
                {
                    // An unassigned local agrees with whatever is assigned later; C# forbids reading it before.
                    var value = variable.Initializer is null ? Homogeneity.Zero : Expression(variable.Initializer.Value);
                    if (value is null)
                        return;
                    _locals[variable.Identifier.ValueText] = value.Value;
                }
                break;
            case ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax assignment }:
                Assignment(assignment);
                break;
            case ReturnStatementSyntax { Expression: { } returned }:
                if (Expression(returned) is { } degree)
                    _returns.Add((degree, returned));
                break;
            case IfStatementSyntax branch:
                If(branch);
                break;
            case EmptyStatementSyntax:
                break;
            default:
                Fail(statement, $"`{Quote(statement)}` is a statement the analyzer cannot see through; use locals, if/else and return");
                break;
        }
    }

    private void If(IfStatementSyntax branch)
    {
        if (!Condition(branch.Condition))
            return;
        var before = _locals;
        _locals = new Dictionary<string, Homogeneity>(before, StringComparer.Ordinal);
        Statement(branch.Statement);
        var afterThen = _locals;
        _locals = new Dictionary<string, Homogeneity>(before, StringComparer.Ordinal);
        if (branch.Else is not null)
            Statement(branch.Else.Statement);
        if (_failure is not null)
            return;
        // Merge conservatively: a local assigned on either path must have one degree on both.
        foreach (var name in afterThen.Keys.Where(before.ContainsKey))
        {
            if (!Homogeneity.TryAgree(afterThen[name], _locals[name], out var merged))
            {
                Fail(branch, $"`{name}` has {afterThen[name]} after one branch of `if ({Quote(branch.Condition)})` and {_locals[name]} after the other; both must agree");
                return;
            }
            _locals[name] = merged;
        }
    }

    private void Assignment(AssignmentExpressionSyntax assignment)
    {
        if (assignment.Left is not IdentifierNameSyntax target || !_locals.TryGetValue(target.Identifier.ValueText, out var current))
        {
            Fail(assignment, $"`{Quote(assignment)}` assigns something other than a local of Value");
            return;
        }
        var right = Expression(assignment.Right);
        if (right is null)
            return;
        Homogeneity? result = assignment.Kind() switch
        {
            SyntaxKind.SimpleAssignmentExpression => right,
            SyntaxKind.AddAssignmentExpression or SyntaxKind.SubtractAssignmentExpression => Sum(assignment, current, right.Value),
            SyntaxKind.MultiplyAssignmentExpression => Homogeneity.Product(current, right.Value),
            SyntaxKind.DivideAssignmentExpression => Quotient(assignment, current, right.Value),
            _ => Fail(assignment, $"`{Quote(assignment)}` is an assignment the analyzer cannot see through"),
        };
        if (result is { } value)
            _locals[target.Identifier.ValueText] = value;
    }

    private Homogeneity? Expression(ExpressionSyntax expression)
    {
        if (_failure is not null)
            return null;
        switch (expression)
        {
            case ParenthesizedExpressionSyntax parenthesized:
                return Expression(parenthesized.Expression);
            case LiteralExpressionSyntax literal when literal.IsKind(SyntaxKind.NumericLiteralExpression):
                return IsZeroLiteral(literal) ? Homogeneity.Zero : Homogeneity.Constant;
            case IdentifierNameSyntax identifier:
                return Identifier(identifier);
            case PrefixUnaryExpressionSyntax unary when unary.IsKind(SyntaxKind.UnaryMinusExpression) || unary.IsKind(SyntaxKind.UnaryPlusExpression):
                return Expression(unary.Operand);
            case BinaryExpressionSyntax binary:
                return Binary(binary);
            case ConditionalExpressionSyntax conditional:
                if (!Condition(conditional.Condition) || Expression(conditional.WhenTrue) is not { } whenTrue || Expression(conditional.WhenFalse) is not { } whenFalse)
                    return null;
                return Homogeneity.TryAgree(whenTrue, whenFalse, out var arms)
                    ? arms
                    : Fail(conditional, $"the arms of `{Quote(conditional)}` have {whenTrue} and {whenFalse}; both must have the same degree");
            case CastExpressionSyntax cast:
                return s_floatTypes.Contains(cast.Type.ToString())
                    ? Expression(cast.Expression)
                    : Fail(cast, $"`{Quote(cast)}` converts to {cast.Type}, which rounds or truncates; keep the value a float");
            case InvocationExpressionSyntax invocation:
                return Invocation(invocation);
            default:
                return Fail(expression, $"`{Quote(expression)}` is not something the analyzer can see through; use the argument, constants, + − × ÷ by constants, comparisons with 0, Math.Abs, Math.Max and Math.Min");
        }
    }

    private Homogeneity? Identifier(IdentifierNameSyntax identifier)
    {
        var name = identifier.Identifier.ValueText;
        if (_locals.TryGetValue(name, out var local))
            return local;
        if (name == _parameter)
            return Homogeneity.OfDegree(1);
        return Fail(identifier, $"`{name}` is not the argument, a local or a literal constant, so its scaling is unknown; inline its value");
    }

    private Homogeneity? Binary(BinaryExpressionSyntax binary)
    {
        switch (binary.Kind())
        {
            case SyntaxKind.AddExpression:
            case SyntaxKind.SubtractExpression:
                return Expression(binary.Left) is { } addLeft && Expression(binary.Right) is { } addRight ? Sum(binary, addLeft, addRight) : null;
            case SyntaxKind.MultiplyExpression:
                return Expression(binary.Left) is { } left && Expression(binary.Right) is { } right ? Homogeneity.Product(left, right) : null;
            case SyntaxKind.DivideExpression:
                return Expression(binary.Left) is { } dividend && Expression(binary.Right) is { } divisor ? Quotient(binary, dividend, divisor) : null;
            default:
                return Fail(binary, $"`{Quote(binary)}` uses the operator `{binary.OperatorToken.Text}`, which is not positively homogeneous; use + − × and ÷ by constants");
        }
    }

    private Homogeneity? Sum(SyntaxNode node, Homogeneity left, Homogeneity right)
    {
        if (Homogeneity.TryAgree(left, right, out var sum))
            return sum;
        if (left.IsConstant || right.IsConstant)
            return Fail(node, $"`{Quote(node)}` adds a non-zero constant to a term of degree {Math.Max(left.Degree, right.Degree)}, so σ(0) ≠ 0 and scaling x does not scale σ(x); drop the constant");
        return Fail(node, $"`{Quote(node)}` adds terms of degree {left.Degree} and {right.Degree}; every term of a sum must have the same degree");
    }

    private Homogeneity? Quotient(SyntaxNode node, Homogeneity dividend, Homogeneity divisor)
    {
        if (divisor.IsZero)
            return Fail(node, $"`{Quote(node)}` divides by zero");
        if (!divisor.IsConstant)
            return Fail(node, $"`{Quote(node)}` divides by an expression of the argument, which is undefined at 0; divide by constants only");
        return dividend;
    }

    private Homogeneity? Invocation(InvocationExpressionSyntax invocation)
    {
        var member = invocation.Expression as MemberAccessExpressionSyntax;
        var callee = member is not null && s_mathTypes.Contains(member.Expression.ToString()) ? member.Name.Identifier.ValueText : null;
        var arguments = invocation.ArgumentList.Arguments;
        switch (callee)
        {
            case "Abs" when arguments.Count == 1:
                return Expression(arguments[0].Expression);
            case "Max" or "Min" when arguments.Count == 2:
                if (Expression(arguments[0].Expression) is not { } first || Expression(arguments[1].Expression) is not { } second)
                    return null;
                return Homogeneity.TryAgree(first, second, out var agreed)
                    ? agreed
                    : Fail(invocation, $"`{Quote(invocation)}` takes the {callee.ToLowerInvariant()} of {first} and {second}; both arguments must have the same degree, e.g. Math.Max(x, 0)");
            case null:
                return Fail(invocation, $"`{Quote(invocation)}` calls a method the analyzer cannot see through; only Math.Abs, Math.Max and Math.Min are understood");
            default:
                return Fail(invocation, $"`{Quote(invocation)}` is not positively homogeneous: {member!.Expression}.{callee} does not commute with scaling; use Math.Abs, Math.Max or Math.Min");
        }
    }

    /// <summary>A condition keeps homogeneity when its truth does not change under x → c·x, c &gt; 0.</summary>
    private bool Condition(ExpressionSyntax condition)
    {
        if (_failure is not null)
            return false;
        switch (condition)
        {
            case ParenthesizedExpressionSyntax parenthesized:
                return Condition(parenthesized.Expression);
            case LiteralExpressionSyntax literal when literal.IsKind(SyntaxKind.TrueLiteralExpression) || literal.IsKind(SyntaxKind.FalseLiteralExpression):
                return true;
            case PrefixUnaryExpressionSyntax not when not.IsKind(SyntaxKind.LogicalNotExpression):
                return Condition(not.Operand);
            case BinaryExpressionSyntax logical when logical.IsKind(SyntaxKind.LogicalAndExpression) || logical.IsKind(SyntaxKind.LogicalOrExpression):
                return Condition(logical.Left) && Condition(logical.Right);
            case BinaryExpressionSyntax comparison when IsComparison(comparison.Kind()):
                if (Expression(comparison.Left) is not { } left || Expression(comparison.Right) is not { } right)
                    return false;
                if (Homogeneity.TryAgree(left, right, out _))
                    return true;
                Fail(comparison, $"`{Quote(comparison)}` compares {left} with {right}, so its truth changes when x is scaled; compare the argument with 0");
                return false;
            default:
                Fail(condition, $"`{Quote(condition)}` is a condition the analyzer cannot see through; compare the argument with 0");
                return false;
        }
    }

    private static bool IsComparison(SyntaxKind kind) => kind is SyntaxKind.GreaterThanExpression or SyntaxKind.GreaterThanOrEqualExpression
        or SyntaxKind.LessThanExpression or SyntaxKind.LessThanOrEqualExpression or SyntaxKind.EqualsExpression or SyntaxKind.NotEqualsExpression;

    private static bool IsZeroLiteral(LiteralExpressionSyntax literal) => literal.Token.Value switch
    {
        int i => i == 0,
        long l => l == 0,
        uint u => u == 0,
        ulong ul => ul == 0,
        float f => f == 0f,
        double d => d == 0d,
        decimal m => m == 0m,
        _ => false,
    };

    private Homogeneity? Fail(SyntaxNode node, string reason)
    {
        _failure ??= ActivationInference.Failure(node, reason);
        return null;
    }

    /// <summary>The node's text on one line, shortened if long, for quoting in a message.</summary>
    internal static string Quote(SyntaxNode? node)
    {
        if (node is null)
            return "";
        var text = string.Join(" ", node.ToString().Split(new[] { ' ', '\t', '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries));
        return text.Length <= 80 ? text : text.Substring(0, 77) + "...";
    }
}
