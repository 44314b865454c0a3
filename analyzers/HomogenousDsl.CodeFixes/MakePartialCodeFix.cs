using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using HomogenousDsl.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace HomogenousDsl.CodeFixes;

/// <summary>
/// HD0100: adds <c>partial</c> to the network declaration and to every type around it that lacks it (the diagnostic
/// sits on the network's name in both cases).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakePartialCodeFix)), Shared]
public sealed class MakePartialCodeFix : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.NotPartial);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var declarations = root?.FindToken(context.Span.Start).Parent?.AncestorsAndSelf().OfType<TypeDeclarationSyntax>()
            .Where(static d => !d.Modifiers.Any(SyntaxKind.PartialKeyword)).ToList();
        if (root is null || declarations is null || declarations.Count == 0)
            return;
        var names = string.Join("', '", declarations.Select(static d => d.Identifier.ValueText).Reverse());
        context.RegisterCodeFix(
            CodeAction.Create($"Make '{names}' partial",
                _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNodes(declarations, static (_, rewritten) => WithPartial(rewritten)))),
                equivalenceKey: nameof(MakePartialCodeFix)),
            context.Diagnostics);
    }

    /// <summary>'partial' goes last among the modifiers, right before the keyword, where C# requires it.</summary>
    private static TypeDeclarationSyntax WithPartial(TypeDeclarationSyntax declaration)
    {
        var partial = SyntaxFactory.Token(SyntaxTriviaList.Empty, SyntaxKind.PartialKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space));
        if (declaration.Modifiers.Count > 0)
            return declaration.WithModifiers(declaration.Modifiers.Add(partial));
        // Without modifiers the keyword carries the leading trivia (indentation, comments); 'partial' takes it over.
        return declaration
            .WithKeyword(declaration.Keyword.WithLeadingTrivia(SyntaxTriviaList.Empty))
            .WithModifiers(SyntaxFactory.TokenList(partial.WithLeadingTrivia(declaration.Keyword.LeadingTrivia)));
    }
}
