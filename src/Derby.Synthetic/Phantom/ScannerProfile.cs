namespace Derby.Synthetic.Phantom;

/// <summary>
/// How a site's PET/CT images: the paper's protocols (uMI 780 at ZSH, Discovery VCT at ZSHX, Gemini TF 64 at HWMU),
/// with resolution, noise and calibration differences that make external validation a real domain shift.
/// </summary>
public sealed record ScannerProfile(
    string Site,
    string Manufacturer,
    string Model,
    double PetReconstructionDiameterMm,
    double PetSliceThicknessMm,
    double PetFwhmMm,
    double SecondsPerBed,
    double PetNoise,
    double PetCalibration,
    double CtReconstructionDiameterMm,
    double CtSliceThicknessMm,
    double CtNoiseHu,
    double CtOffsetHu,
    bool PhilipsPrivateSuvTags)
{
    public static IReadOnlyList<ScannerProfile> All { get; } =
    [
        new("ZSH", "UIH", "uMI 780", 600, 3.0, 5.5, 120, 0.16, 1.00, 500, 1.0, 12, 0, false),
        new("ZSHX", "GE MEDICAL SYSTEMS", "Discovery VCT", 600, 3.27, 6.5, 120, 0.17, 0.97, 500, 1.25, 14, -3, false),
        new("HWMU", "Philips Medical Systems", "GEMINI TF 64", 576, 4.0, 7.0, 90, 0.20, 1.06, 500, 5.0, 9, 6, true),
    ];

    public static ScannerProfile For(string site) => All.Single(p => p.Site == site);
}
