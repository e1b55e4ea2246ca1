namespace Derby.Domain;

/// <summary>The role a cohort plays in the study (the paper's five cohorts).</summary>
public enum CohortKind
{
    Training = 1,
    InternalValidation = 2,
    Histology = 3,
    ExternalValidation = 4,
    NegativeControl = 5,
}

/// <summary>First-line treatment received (BECOME arm A or B).</summary>
public enum TreatmentArm
{
    FolfoxBevacizumab = 1,
    FolfoxAlone = 2,
}

public enum Sex
{
    Female = 1,
    Male = 2,
}

/// <summary>Side of the primary colorectal tumour (right: caecum to proximal two thirds of the transverse colon).</summary>
public enum PrimarySite
{
    Left = 1,
    Right = 2,
}

public enum LiverDistribution
{
    Unilobar = 1,
    Bilobar = 2,
}

/// <summary>Best overall response by RECIST 1.1.</summary>
public enum RecistResponse
{
    CompleteResponse = 1,
    PartialResponse = 2,
    StableDisease = 3,
    ProgressiveDisease = 4,
}

public enum ImportKind
{
    Patients = 1,
    Clinical = 2,
    Ihc = 3,
    Outcomes = 4,
}

public enum ImportStatus
{
    Queued = 1,
    Validating = 2,
    Writing = 3,
    Succeeded = 4,
    Rejected = 5,
    Failed = 6,
}

public enum ImagingModality
{
    Pet = 1,
    Ct = 2,
}

public enum ReviewStatus
{
    Pending = 1,
    Agreed = 2,
    Disagreed = 3,
    NeedsSiteCorrection = 4,
}

/// <summary>A site query: waiting for the site, or answered (back with the reviewers).</summary>
public enum SiteQueryStatus
{
    Open = 1,
    Answered = 2,
}

/// <summary>The study's de-identification setting for DICOM uploads.</summary>
public enum DeidentificationPolicy
{
    Reject = 1,
    Scrub = 2,
}
