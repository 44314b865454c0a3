using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using HomogenousDsl.Generator.Model;
using HomogenousDsl.Generator.Rules;
using Microsoft.CodeAnalysis;

namespace HomogenousDsl.Generator.Parsing;

/// <summary>Reads one layer attribute's arguments and infers its output shape and weight shape (PyTorch layouts).</summary>
internal static class LayerShapes
{
    /// <summary>
    /// Builds layer <paramref name="index"/> from its attribute; null after reporting a problem. Degree exponents are
    /// filled in later, once every activation's degree is known.
    /// </summary>
    public static LayerModel? Build(int index, AttributeData attribute, LayerRule rule, int[] input, int parameterOffset, IReadOnlyList<LayerModel?> previous, ImmutableArray<NetworkProblem>.Builder problems, CancellationToken cancellationToken)
    {
        var context = new LayerContext(index, attribute, rule, input, problems);
        return rule.Kind switch
        {
            LayerKind.Dense => Dense(context, parameterOffset),
            LayerKind.Conv2d => Conv2d(context, parameterOffset),
            LayerKind.MaxPool2d or LayerKind.AvgPool2d => Pool(context),
            LayerKind.Flatten => context.Layer(input.Length == 3 ? new[] { input[0] * input[1] * input[2] } : input),
            LayerKind.LeakyReLU => LeakyReLU(context),
            LayerKind.CustomActivation => Custom(context, cancellationToken),
            LayerKind.Add => Residual(context, previous),
            _ => context.Layer(input) with { ActivationDegree = rule.Role == LayerRole.Activation ? rule.ActivationDegree : 0 },
        };
    }

    private static LayerModel? Custom(LayerContext context, CancellationToken cancellationToken)
    {
        var argument = context.Attribute.ConstructorArguments.Length == 1 ? context.Attribute.ConstructorArguments[0] : default;
        var activation = CustomActivation.Read(argument.Kind == TypedConstantKind.Type ? argument.Value as ITypeSymbol : null, cancellationToken);
        if (activation.UsageError is { } usage)
        {
            context.Report(ProblemKind.InvalidCustomActivation, $"[Activation] at layer {context.Index}: {usage}");
            return null;
        }
        if (activation.Inference is not { Succeeded: true } inference)
        {
            context.Report(ProblemKind.CustomActivationNotHomogeneous, $"[Activation(typeof({activation.Name}))] at layer {context.Index} is not positively homogeneous: {activation.Inference?.Reason}");
            return null;
        }
        return context.Layer(context.Input) with { ActivationDegree = inference.Degree, ActivationType = activation.FullName };
    }

    private static LayerModel? Residual(LayerContext context, IReadOnlyList<LayerModel?> previous)
    {
        var from = context.Named("From", -1);
        if (from < 0 || from >= context.Index)
        {
            context.Report(ProblemKind.InvalidResidualSource, $"[Add(From = {from})] at layer {context.Index} must name an earlier layer: write From = the index (0 to {context.Index - 1}) of the layer whose output is added");
            return null;
        }
        if (previous[from] is not { } source)
            return null;
        if (!source.OutputShape.SequenceEqual(context.Input))
        {
            context.Report(ProblemKind.ResidualShapeMismatch, $"[Add(From = {from})] at layer {context.Index} adds layer {from}'s output of shape [{string.Join(", ", source.OutputShape)}] to the current activation of shape [{string.Join(", ", context.Input)}]; add from a layer whose output has the same shape");
            return null;
        }
        return context.Layer(context.Input) with { Source = from };
    }

    private static LayerModel? Dense(LayerContext context, int parameterOffset)
    {
        if (!context.PositiveConstructorArgument("outFeatures", out var outFeatures))
            return null;
        if (context.Input.Length != 1)
        {
            context.Report(ProblemKind.DenseAfterConvolutionWithoutFlatten, $"[Dense({outFeatures})] at layer {context.Index} receives shape [{string.Join(", ", context.Input)}] but needs a vector; insert [Flatten] before it");
            return null;
        }
        var bias = context.Named("Bias", false) ? outFeatures : 0;
        return context.Layer(new[] { outFeatures }, new[] { outFeatures, context.Input[0] }, parameterOffset, bias);
    }

    private static LayerModel? Conv2d(LayerContext context, int parameterOffset)
    {
        if (!context.PositiveConstructorArgument("outChannels", out var outChannels) || !context.RequireImage())
            return null;
        var kernel = context.Named("Kernel", 3);
        var stride = context.Named("Stride", 1);
        var padding = context.Named("Padding", 0);
        if (kernel <= 0 || stride <= 0 || padding < 0)
        {
            context.Report(ProblemKind.InvalidLayerArgument, $"[Conv2d] at layer {context.Index} needs Kernel > 0, Stride > 0 and Padding ≥ 0 (found Kernel = {kernel}, Stride = {stride}, Padding = {padding})");
            return null;
        }
        var (channels, height, width) = (context.Input[0], context.Input[1], context.Input[2]);
        if (kernel > height + 2 * padding || kernel > width + 2 * padding)
        {
            context.Report(ProblemKind.KernelLargerThanInput, $"[Conv2d] at layer {context.Index} has a {kernel}×{kernel} kernel but its padded input is {height + 2 * padding}×{width + 2 * padding} (input [{channels}, {height}, {width}], Padding = {padding}); use a smaller Kernel or more Padding");
            return null;
        }
        var outHeight = (height + 2 * padding - kernel) / stride + 1;
        var outWidth = (width + 2 * padding - kernel) / stride + 1;
        var bias = context.Named("Bias", false) ? outChannels : 0;
        return context.Layer(new[] { outChannels, outHeight, outWidth }, new[] { outChannels, channels, kernel, kernel }, parameterOffset, bias, kernel: kernel, stride: stride, padding: padding);
    }

    private static LayerModel? Pool(LayerContext context)
    {
        if (!context.PositiveConstructorArgument("kernel", out var kernel) || !context.RequireImage())
            return null;
        var stride = context.Named("Stride", 0);
        if (stride < 0)
        {
            context.Report(ProblemKind.InvalidLayerArgument, $"{context.Name} at layer {context.Index} has Stride = {stride}; use a positive stride, or 0 for Stride = Kernel");
            return null;
        }
        stride = stride == 0 ? kernel : stride;
        var (channels, height, width) = (context.Input[0], context.Input[1], context.Input[2]);
        if (kernel > height || kernel > width)
        {
            context.Report(ProblemKind.KernelLargerThanInput, $"{context.Name} at layer {context.Index} has a {kernel}×{kernel} window but its input is {height}×{width} (shape [{channels}, {height}, {width}])");
            return null;
        }
        if ((height - kernel) % stride != 0 || (width - kernel) % stride != 0)
        {
            context.Report(ProblemKind.PoolingDoesNotDivide, $"{context.Name} at layer {context.Index}: a {kernel}×{kernel} window with stride {stride} does not tile its {height}×{width} input (shape [{channels}, {height}, {width}]); the last rows or columns would be dropped silently");
            return null;
        }
        var output = new[] { channels, (height - kernel) / stride + 1, (width - kernel) / stride + 1 };
        return context.Layer(output, kernel: kernel, stride: stride);
    }

    private static LayerModel? LeakyReLU(LayerContext context)
    {
        var slope = context.Attribute.ConstructorArguments.Length == 1 && context.Attribute.ConstructorArguments[0].Value is float value ? value : float.NaN;
        if (float.IsNaN(slope) || float.IsInfinity(slope))
        {
            context.Report(ProblemKind.InvalidLayerArgument, $"[LeakyReLU] at layer {context.Index} needs a finite slope, e.g. [LeakyReLU(0.1f)]");
            return null;
        }
        return context.Layer(context.Input, slope: slope) with { ActivationDegree = context.Rule.ActivationDegree };
    }

    /// <summary>The per-layer state the readers share, so each reader is a few lines.</summary>
    private sealed class LayerContext
    {
        private readonly ImmutableArray<NetworkProblem>.Builder _problems;

        public LayerContext(int index, AttributeData attribute, LayerRule rule, int[] input, ImmutableArray<NetworkProblem>.Builder problems)
        {
            Index = index;
            Attribute = attribute;
            Rule = rule;
            Input = input;
            _problems = problems;
        }

        public int Index { get; }

        public AttributeData Attribute { get; }

        public LayerRule Rule { get; }

        public int[] Input { get; }

        public string Name => NetworkParser.ShortName(Rule);

        public void Report(ProblemKind kind, string message) => _problems.Add(new NetworkProblem(kind, Attribute, message));

        public bool PositiveConstructorArgument(string parameter, out int value)
        {
            value = Attribute.ConstructorArguments.Length == 1 && Attribute.ConstructorArguments[0].Value is int v ? v : 0;
            if (value > 0)
                return true;
            Report(ProblemKind.InvalidLayerArgument, $"{Name} at layer {Index} needs a positive {parameter}");
            return false;
        }

        public bool RequireImage()
        {
            if (Input.Length == 3)
                return true;
            Report(ProblemKind.WrongInputRank, $"{Name} at layer {Index} needs an image input [channels, height, width] but receives [{string.Join(", ", Input)}]");
            return false;
        }

        public T Named<T>(string name, T fallback)
        {
            foreach (var argument in Attribute.NamedArguments)
            {
                if (argument.Key == name && argument.Value.Value is T value)
                    return value;
            }
            return fallback;
        }

        public LayerModel Layer(int[] output, int[]? weightShape = null, int parameterOffset = 0, int biasLength = 0, int kernel = 0, int stride = 0, int padding = 0, float slope = 0f) =>
            new(Index, Rule.Kind, new EquatableArray<int>(Input), new EquatableArray<int>(output), new EquatableArray<int>(weightShape ?? new int[0]),
                weightShape is null ? 0 : parameterOffset, biasLength, 0, kernel, stride, padding, slope);
    }
}
