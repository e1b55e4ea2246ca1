using Derby.Domain;

namespace Derby.Application.Learning;

/// <summary>One epoch of a training: mean training loss, validation loss and pair-level validation AUC.</summary>
public sealed record EpochRecord(int Epoch, double TrainLoss, double ValidationLoss, double ValidationAuc);

/// <summary>The imaging-only signature on a group of patients: each patient's majority vote of its pairs.</summary>
/// <param name="Patients">Patients voted on.</param>
/// <param name="Accuracy">Share of patients whose vote matches their response.</param>
/// <param name="Auc">AUC of the share of responder votes against the response (NaN with one class).</param>
public sealed record PatientVote(int Patients, double Accuracy, double Auc);

/// <summary>What <see cref="NetworkModel.HistoryJson"/> holds.</summary>
/// <param name="Epochs">Every epoch done.</param>
/// <param name="TrainingVote">The kept network's patient-level vote on the training patients (once trained).</param>
/// <param name="ValidationVote">The same on the validation patients (once trained).</param>
public sealed record NetworkHistory(IReadOnlyList<EpochRecord> Epochs, PatientVote? TrainingVote, PatientVote? ValidationVote);

/// <summary>A network model as the pages and the command line show it.</summary>
public sealed record NetworkModelView(
    Guid Id,
    string Version,
    string CohortCode,
    NetworkModelStatus Status,
    TrainingRequest Settings,
    int CurrentEpoch,
    int TotalEpochs,
    NetworkHistory History,
    int BestEpoch,
    double? ValidationAuc,
    string? CheckpointSha256,
    int TrainingPatients,
    int ValidationPatients,
    int TrainingPairs,
    int ValidationPairs,
    string? Error,
    string RequestedBy,
    DateTime RequestedUtc,
    DateTime? StartedUtc,
    DateTime? FinishedUtc,
    int FeatureSets,
    int PairSets,
    MixtureView? Mixture);

/// <summary>A fitted mixture: K, the BIC curve and how many pairs have F_img.</summary>
public sealed record MixtureView(Guid Id, int K, int Dimensions, string CovarianceType, IReadOnlyList<BicPoint> Bic, int TrainingPairs, int PairsWithFeatures, DateTime CreatedUtc);

/// <summary>One point of the BIC curve.</summary>
public sealed record BicPoint(int K, double Bic);

/// <summary>Grad-CAM maps of one image pair (responder class), S × S each, row-major, values in [0, 1].</summary>
public sealed record PairGradCamView(string Version, long ImagePairId, Guid PairSetId, int Index, int CropSize, float[] Pet, float[] Ct);

/// <summary>Grad-CAM maps of every pair of a lesion's pair set under one network, in pair order, S × S each, in [0, 1].</summary>
public sealed record LesionGradCamView(string Version, Guid LesionId, Guid PairSetId, int CropSize, float[][] Pet, float[][] Ct);

/// <summary>A patient of a network's training plan: its label and the content hashes of the pair sets it trains on, in order.</summary>
internal sealed record PlannedPatient(Guid PatientId, string Pseudonym, int Label, IReadOnlyList<string> PairSets);
