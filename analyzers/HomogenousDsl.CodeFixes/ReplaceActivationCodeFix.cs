using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using HomogenousDsl.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace HomogenousDsl.CodeFixes;

/// <summary>HD0002: replaces a non-homogeneous activation with <c>[ReLU]</c> or <c>[LeakyReLU(0.01f)]</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ReplaceActivationCodeFix)), Shared]
public sealed class ReplaceActivationCodeFix : CodeFixProvider
{
    /// <summary>The replacements offered, as attribute source text.</summary>
    private static readonly string[] s_replacements = { "ReLU", "LeakyReLU(0.01f)" };

    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.NonHomogeneousActivation);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span, getInnermostNodeForTie: true).FirstAncestorOrSelf<AttributeSyntax>() is not { } attribute)
            return;
        foreach (var text in s_replacements)
        {
            context.RegisterCodeFix(
                CodeAction.Create($"Replace with [{text}]", _ =>
                {
                    var replacement = Parse(text).WithTriviaFrom(attribute);
                    return Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(attribute, replacement)));
                }, equivalenceKey: nameof(ReplaceActivationCodeFix) + text),
                context.Diagnostics);
        }
    }

    private static AttributeSyntax Parse(string text)
    {
        var open = text.IndexOf('(');
        var name = SyntaxFactory.IdentifierName(open < 0 ? text : text.Substring(0, open));
        return open < 0
            ? SyntaxFactory.Attribute(name)
            : SyntaxFactory.Attribute(name, SyntaxFactory.ParseAttributeArgumentList(text.Substring(open)));
    }
}
