using Derby.Application.Common;
using Derby.Imaging.Dicom;
using Derby.Imaging.Series;
using Microsoft.EntityFrameworkCore;

namespace Derby.Application.Imaging;

/// <summary>A stored series read back from the DICOM store: its files' data sets (read in parallel), assembled as at ingestion.</summary>
internal static class StoredSeries
{
    /// <exception cref="InvalidOperationException">The stored files no longer make one valid series; the message gives the problems.</exception>
    public static async Task<SeriesAssembly> AssembleAsync(IDerbyDbContext db, IDicomStore store, IDicomFileReader reader, Guid seriesId,
        CancellationToken cancellationToken)
    {
        var hashes = await db.ImagingInstances.AsNoTracking().Where(i => i.SeriesId == seriesId).OrderBy(i => i.SliceIndex)
            .Select(i => i.Sha256).ToListAsync(cancellationToken);
        var slices = new SliceSource[hashes.Count];
        Parallel.For(0, hashes.Count, i => slices[i] = SliceSource.From(reader.Read(store.PathOf(hashes[i]))));
        var assemblies = SeriesAssembler.Assemble(slices);
        return assemblies is [{ IsValid: true } assembly]
            ? assembly
            : throw new InvalidOperationException(
                $"Stored series {seriesId} is not one regular volume: {string.Join("; ", assemblies.SelectMany(a => a.Problems).DefaultIfEmpty("no files"))}");
    }
}
