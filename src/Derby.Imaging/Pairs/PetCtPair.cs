namespace Derby.Imaging.Pairs;

/// <summary>
/// One 2.5D PET/CT pair: a PET slice crossing the lesion, cropped to <c>CropSize</c>² PET pixels, and the
/// <see cref="PairSettings.CtSlicesPerPair"/> CT slices nearest to it resampled onto the same pixel centres. Pixel (i, j)
/// of every crop is PET voxel (<see cref="CropX0"/> + i, <see cref="CropY0"/> + j) on slice <see cref="PetSlice"/>;
/// arrays are row-major (index j · CropSize + i), normalised to [0, 1] by the set's <see cref="PairSettings"/>.
/// </summary>
public sealed class PetCtPair
{
    /// <summary>Creates a pair; array lengths are checked against <paramref name="cropSize"/>.</summary>
    /// <exception cref="ArgumentException">An array of the wrong length.</exception>
    public PetCtPair(int petSlice, int[] ctSlices, int roiArea, int cropX0, int cropY0, int cropSize, float[] pet, float[] ct)
    {
        ArgumentNullException.ThrowIfNull(ctSlices);
        ArgumentNullException.ThrowIfNull(pet);
        ArgumentNullException.ThrowIfNull(ct);
        var plane = cropSize * cropSize;
        if (ctSlices.Length != PairSettings.CtSlicesPerPair || pet.Length != plane || ct.Length != PairSettings.CtSlicesPerPair * plane)
        {
            throw new ArgumentException(
                $"A pair of crop {cropSize} needs {PairSettings.CtSlicesPerPair} CT slice indices, {plane} PET and {PairSettings.CtSlicesPerPair * plane} CT values; got {ctSlices.Length}, {pet.Length}, {ct.Length}");
        }

        PetSlice = petSlice;
        CtSlices = ctSlices;
        RoiArea = roiArea;
        CropX0 = cropX0;
        CropY0 = cropY0;
        CropSize = cropSize;
        Pet = pet;
        Ct = ct;
    }

    /// <summary>The PET slice index (sorted order of the PET series).</summary>
    public int PetSlice { get; }

    /// <summary>The CT slice indices of the channels, in order (sorted order of the CT series): the nearest one in the middle, clamped at the ends of the CT volume.</summary>
    public int[] CtSlices { get; }

    /// <summary>Mask voxels on <see cref="PetSlice"/>: the pair's weight in the patient's vote.</summary>
    public int RoiArea { get; }

    /// <summary>PET column of the crop's first pixel; negative (or past the image) where the crop is padded.</summary>
    public int CropX0 { get; }

    /// <summary>PET row of the crop's first pixel; negative (or past the image) where the crop is padded.</summary>
    public int CropY0 { get; }

    /// <summary>Side of the crop in pixels.</summary>
    public int CropSize { get; }

    /// <summary>PET crop, CropSize² normalised SUV values, row-major.</summary>
    public float[] Pet { get; }

    /// <summary>CT crops, channel-major: <see cref="PairSettings.CtSlicesPerPair"/> × CropSize² normalised HU values.</summary>
    public float[] Ct { get; }

    /// <summary>CT channel <paramref name="channel"/> (0 to 2; 1 is the nearest CT slice).</summary>
    public ReadOnlySpan<float> CtChannel(int channel)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(channel);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(channel, PairSettings.CtSlicesPerPair);
        var plane = CropSize * CropSize;
        return Ct.AsSpan(channel * plane, plane);
    }
}
