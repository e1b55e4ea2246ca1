namespace Derby.Application.Models;

/// <summary>
/// Where a trained model version comes from: its registry entry (<see cref="View"/>: status, training cohort, network,
/// manifest SHA-256, dates) and its frozen, hash-checked manifest (<see cref="Manifest"/>: patients and pairs, columns,
/// settings and seeds, mixture, LASSO result, network checkpoint hash, code version).
/// </summary>
public sealed record ModelProvenance(ModelVersionView View, ModelManifest Manifest);
