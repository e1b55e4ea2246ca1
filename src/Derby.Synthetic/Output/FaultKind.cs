namespace Derby.Synthetic.Output;

/// <summary>Defects the generator can put into one patient's images, for testing the ingestion gate and series checks.</summary>
public enum FaultKind
{
    /// <summary>Names, birth date, institution, physician, device serial, a private tag and Burned In Annotation = YES.</summary>
    Phi,

    /// <summary>One slice missing from the middle of the PET and of the CT series.</summary>
    MissingSlice,

    /// <summary>One CT slice displaced by half its spacing.</summary>
    InconsistentSpacing,

    /// <summary>PET without Radionuclide Total Dose and injection start time.</summary>
    MissingDose,
}
