namespace HomogenousDsl.Training;

/// <summary>
/// An update rule that treats every coordinate on its own: <see cref="IUpdateRule.Apply"/> on a slice of the parameters
/// and direction gives exactly that slice of Apply on the whole vectors. The gradient engine may then apply it range by
/// range on its threads, in the same pass that sums the per-thread gradients, instead of one serial pass afterwards.
/// Rules that need a global quantity of the direction (its norm, its largest entry) must not implement this.
/// </summary>
public interface IElementwiseUpdateRule : IUpdateRule;
