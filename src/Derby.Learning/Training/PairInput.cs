namespace Derby.Learning.Training;

/// <summary>
/// One 2.5D PET/CT pair as the networks take it: the PET crop (S² values) and the 3 CT crops (channel-major, 3·S²
/// values), row-major and normalised to [0, 1] (the layout of Derby.Imaging's <c>PetCtPair</c>).
/// </summary>
public sealed record PairInput
{
    /// <summary>Creates the input; lengths are checked against <paramref name="cropSize"/>.</summary>
    /// <exception cref="ArgumentException">An array of the wrong length.</exception>
    public PairInput(float[] pet, float[] ct, int cropSize)
    {
        ArgumentNullException.ThrowIfNull(pet);
        ArgumentNullException.ThrowIfNull(ct);
        ArgumentOutOfRangeException.ThrowIfLessThan(cropSize, 1);
        var plane = cropSize * cropSize;
        if (pet.Length != plane || ct.Length != Networks.DerbyPairNet.CtSlices * plane)
        {
            throw new ArgumentException($"A pair of crop {cropSize} needs {plane} PET and {3 * plane} CT values; got {pet.Length} and {ct.Length}.");
        }

        Pet = pet;
        Ct = ct;
        CropSize = cropSize;
    }

    /// <summary>PET crop, S² values.</summary>
    public float[] Pet { get; }

    /// <summary>CT crops, 3 · S² values, channel-major.</summary>
    public float[] Ct { get; }

    /// <summary>Side S of the crops.</summary>
    public int CropSize { get; }

    /// <summary>
    /// The lesion's area on this slice in the input's pixels (the pair's ROI area, scaled when the crop was resampled); the
    /// lesion is centred on pixel (S/2, S/2). 0 when unknown. Used by <see cref="PairDescriptors"/>.
    /// </summary>
    public double RoiArea { get; init; }
}
