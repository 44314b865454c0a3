namespace HomogenousDsl.Margins;

/// <summary>
/// The late-stage quantities at one step, measured over the whole training set. A value type, so recording allocates
/// nothing. Margins are normalized by ‖θ‖₂^L unless named otherwise; logs are base 10.
/// </summary>
/// <param name="Step">The number of updates made before this measurement.</param>
/// <param name="Log10Loss">log10 of the mean loss (finite long after the loss itself underflows).</param>
/// <param name="Accuracy">Fraction of samples with positive margin q_i.</param>
/// <param name="MinMargin">min_i q_i, unnormalized.</param>
/// <param name="NormalizedMargin">γ = min_i q_i / ‖θ‖^L.</param>
/// <param name="SmoothedMargin">γ̃ = ℓ^{−1}(Σ_i ℓ_i) / ‖θ‖^L (Lyu &amp; Li).</param>
/// <param name="LayerNormalizedMargin">min_i q_i / Π_l ‖W_l‖^{e_l}: safe for deep networks where ‖θ‖^L overflows.</param>
/// <param name="ParameterNorm">‖θ‖₂.</param>
/// <param name="Alignment">β = ⟨θ, −∇L⟩ / (‖θ‖ ‖∇L‖): tends to 1 at a KKT direction.</param>
/// <param name="Log10SphereStep">log10 γ̄ = log10(η ‖θ‖^{L−2} Σ_j |ℓ'(q_j)| / n), the effective step on the sphere (Schechtman &amp; Schreuder).</param>
/// <param name="DirectionalChange">1 − cos(θ_k, θ_{k−m}) against the previous measurement (NaN at the first).</param>
/// <param name="NearSupport1">#{i : q_i &lt; q_min + log 10}: samples within a factor 10 of the largest loss.</param>
/// <param name="NearSupport2">#{i : q_i &lt; q_min + log 100}.</param>
/// <param name="NearSupport3">#{i : q_i &lt; q_min + log 1000}.</param>
public readonly record struct MarginReport(
    long Step,
    double Log10Loss,
    double Accuracy,
    double MinMargin,
    double NormalizedMargin,
    double SmoothedMargin,
    double LayerNormalizedMargin,
    double ParameterNorm,
    double Alignment,
    double Log10SphereStep,
    double DirectionalChange,
    int NearSupport1,
    int NearSupport2,
    int NearSupport3)
{
    /// <summary>True when every sample has a positive margin.</summary>
    public bool Separated => MinMargin > 0;

    /// <summary>The CSV header matching <see cref="MarginCsvWriter"/>'s rows.</summary>
    public const string CsvHeader =
        "step,log10_loss,accuracy,min_margin,normalized_margin,smoothed_margin,layer_normalized_margin,parameter_norm,alignment,log10_sphere_step,directional_change,near_support_1,near_support_2,near_support_3";
}
