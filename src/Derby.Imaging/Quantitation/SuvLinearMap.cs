namespace Derby.Imaging.Quantitation;

/// <summary>SUVbw = stored × <paramref name="Slope"/> + <paramref name="Intercept"/> for one slice (rescale and SUV factor combined).</summary>
/// <param name="Slope">Rescale Slope × series SUV factor.</param>
/// <param name="Intercept">Rescale Intercept × series SUV factor.</param>
public readonly record struct SuvLinearMap(double Slope, double Intercept)
{
    public double Apply(double stored) => stored * Slope + Intercept;
}
