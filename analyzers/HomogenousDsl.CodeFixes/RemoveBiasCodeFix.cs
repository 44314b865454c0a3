using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using HomogenousDsl.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace HomogenousDsl.CodeFixes;

/// <summary>HD0001: removes <c>Bias = true</c> (and the parentheses, if nothing else is left in them).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveBiasCodeFix)), Shared]
public sealed class RemoveBiasCodeFix : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.BiasBreaksHomogeneity);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span, getInnermostNodeForTie: true).FirstAncestorOrSelf<AttributeArgumentSyntax>() is not { Parent: AttributeArgumentListSyntax list } argument)
            return;
        context.RegisterCodeFix(
            CodeAction.Create("Remove the bias", _ =>
            {
                SyntaxNode replacement = list.Arguments.Count == 1 && list.Parent is AttributeSyntax attribute
                    ? attribute.WithArgumentList(null).WithTriviaFrom(attribute)
                    : list.WithArguments(list.Arguments.Remove(argument));
                var original = list.Arguments.Count == 1 ? list.Parent! : list;
                return Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(original, replacement)));
            }, equivalenceKey: nameof(RemoveBiasCodeFix)),
            context.Diagnostics);
    }
}
