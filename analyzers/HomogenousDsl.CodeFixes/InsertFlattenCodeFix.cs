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

/// <summary>HD0108: inserts <c>[Flatten]</c> right before the Dense layer that receives an image.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(InsertFlattenCodeFix)), Shared]
public sealed class InsertFlattenCodeFix : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.DenseAfterConvolutionWithoutFlatten);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span, getInnermostNodeForTie: true).FirstAncestorOrSelf<AttributeSyntax>() is not { Parent: AttributeListSyntax list } dense)
            return;
        context.RegisterCodeFix(
            CodeAction.Create("Insert [Flatten] before the Dense layer", _ =>
            {
                var flatten = SyntaxFactory.Attribute(SyntaxFactory.IdentifierName("Flatten"));
                SyntaxNode updated;
                if (list.Attributes.IndexOf(dense) == 0)
                {
                    // [Dense(1)] becomes [Flatten] [Dense(1)]: a list of its own, as layers are usually written.
                    // Parsed rather than built, so no elastic trivia invites the formatter to put it on a line of its own.
                    var flattenList = SyntaxFactory.ParseMemberDeclaration("[Flatten] class C;")!.AttributeLists[0]
                        .WithLeadingTrivia(list.GetLeadingTrivia());
                    updated = root.ReplaceNode(list, new SyntaxNode[] { flattenList, list.WithLeadingTrivia(SyntaxFactory.TriviaList()) });
                }
                else
                {
                    updated = root.ReplaceNode(list, list.WithAttributes(list.Attributes.Insert(list.Attributes.IndexOf(dense), flatten)));
                }
                return Task.FromResult(context.Document.WithSyntaxRoot(updated));
            }, equivalenceKey: nameof(InsertFlattenCodeFix)),
            context.Diagnostics);
    }
}
